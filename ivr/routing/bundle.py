"""Everything the engine needs, loaded and cross-checked as one unit.

A ruleset is five files that name each other (rules name schedules, intents
and directory entries; the directory names schedules; cases name officers).
Loading them together, and refusing the lot if any name dangles, is what
lets a running app swap in an edited ruleset safely: ``load_bundle`` returns
a complete, valid bundle or raises ``BundleError`` with every error.

A folder need only hold the files an admin changed; the rest come from the
shipped defaults in ``routing_rules/``, so a test folder can be one file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import Directory, DirectoryEntry
from ivr.embedding.encoder import EmbeddingModelError, SentenceEncoder, shared_encoder
from ivr.embedding.files import PACKAGED
from ivr.routing.cases import CaseBook
from ivr.routing.limits import SIZE_LIMITS, SizeLimits
from ivr.routing.rules import RulesError, RuleSet
from ivr.routing.rules_yaml import load_rules
from ivr.routing.schedules import Schedules, SchedulesError
from ivr.routing.schedules_yaml import load_schedules
from ivr.shipped import ROUTING_RULES
from ivr.yamlfile import DataFileError, YamlError

log = logging.getLogger(__name__)

MEANING_OFF = "off"
DEFAULT_FOLDER = ROUTING_RULES  # the shipped routing_rules/ (ivr.shipped: wheel or checkout)
FILES = ("directory", "cases.csv", "intents.yaml", "rules.yaml", "schedules.yaml")


class BundleError(DataFileError):
    """Some file of the ruleset is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "routing-bundle-invalid"


# --- matchers as the engine uses them (the real ones satisfy these; tests pin scores) ----


class MatcherLike(Protocol):
    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 5) -> list[Candidate]: ...
    def restated(self, first: str, rest: str) -> bool: ...


class IntentMatchLike(Protocol):
    @property
    def intent(self) -> str: ...
    @property
    def destination(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def example(self) -> str: ...
    @property
    def matched(self) -> str: ...
    @property
    def emergency(self) -> bool: ...
    @property
    def semantic(self) -> float | None: ...  # cosine with the nearest example; None: words
    @property
    def alone(self) -> float | None: ...  # before the n-best's agreement moved it (None: not)
    @property
    def agreement(self) -> str: ...  # how the agreement moved it, for the reason ("": not)
    def to_json(self) -> dict[str, Any]: ...


class MeantLike(Protocol):
    """How surely some words mean an emergency (ivr.routing.danger_meaning.Meant)."""

    @property
    def probability(self) -> float: ...
    @property
    def text(self) -> str: ...


class IntentLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def destination(self) -> str: ...


class IntentsLike(Protocol):
    @property
    def intents(self) -> Sequence[IntentLike]: ...
    def match(self, hypotheses: Sequence[Hypothesis]) -> Sequence[IntentMatchLike]: ...
    def emergency_cue(self, hypotheses: Sequence[Hypothesis]) -> IntentMatchLike | None: ...
    def danger_meant(self, hypotheses: Sequence[Hypothesis]) -> MeantLike | None: ...
    @property
    def words(self) -> frozenset[str]: ...
    @property
    def by_meaning(self) -> bool: ...


class DepartmentsLike(Protocol):
    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 3) -> list[Candidate]: ...

    def of_kind(self, kind: str) -> list[DirectoryEntry]: ...


@dataclass(frozen=True)
class RoutingBundle:
    directory: Directory
    matcher: MatcherLike
    intents: IntentsLike
    cases: CaseBook
    rules: RuleSet
    schedules: Schedules
    source: str = ""
    # Departments by meaning (None: words only, no sentence model).
    departments: DepartmentsLike | None = None
    # sha256 of the files it was built from (ivr.routing.snapshot), and the published
    # version with those files (set by RoutingService when it swaps the bundle in).
    digest: str = ""
    version: int | None = None

    def summary(self) -> str:
        how = "by meaning" if self.intents.by_meaning else "by words only"
        return (
            f"{len(self.rules.rules)} rules, {len(self.intents.intents)} intents,"
            f" {len(self.directory)} directory entries, {len(self.cases)} cases,"
            f" {len(self.schedules.names)} schedules; intents matched {how}"
        )


# --- loading -----------------------------------------------------------------------------


def resolve_files(folder: Path | None) -> tuple[dict[str, Path], list[str]]:
    """Which file each part comes from: the folder's own, else the shipped default."""
    errors: list[str] = []
    chosen: dict[str, Path] = {}
    roots = [DEFAULT_FOLDER] if folder is None else [folder, DEFAULT_FOLDER]
    if folder is not None and not folder.is_dir():
        errors.append(f"{folder}:0: not a folder")
        roots = [DEFAULT_FOLDER]
    for part in FILES:
        for root in roots:
            if part == "directory":
                found = [root / n for n in ("directory.yaml", "directory.csv")]
                present = [p for p in found if p.is_file()]
                if len(present) == 2:
                    errors.append(
                        f"{root}/directory.csv:0: both directory.yaml and directory.csv; keep one"
                    )
                if present:
                    chosen[part] = present[0]
                    break
            elif (root / part).is_file():
                chosen[part] = root / part
                break
        else:
            errors.append(f"{roots[-1] / part}:0: missing (and no shipped default)")
    return chosen, errors


def _errors_of(exc: Exception) -> list[str]:
    listed = getattr(exc, "errors", None)
    if isinstance(listed, list) and listed:
        return [str(e) for e in listed]
    return [str(exc)]


def load_bundle(
    folder: Path | None = None,
    prompts: Collection[str] | None = None,
    limits: SizeLimits = SIZE_LIMITS,
    meaning: str = PACKAGED,
) -> RoutingBundle:
    """A complete, cross-checked bundle, or BundleError listing every error.

    ``meaning``: the sentence model intents are matched with ("packaged", a model folder,
    or "off"); a model that cannot be loaded leaves words-only matching, logged loudly,
    because a caller must still be routed.

    ``prompts``: the catalogue's ids, so a rule's ``message`` typo is refused here (by
    ``ivr route``, ``ivr rules check`` and a publish alike) rather than heard as silence.
    """
    from ivr.directory import DirectoryMatcher
    from ivr.routing.departments import DepartmentMeaning, kind_requests
    from ivr.routing.intents import IntentMatcher

    files, errors = resolve_files(folder)
    too_large = limits.oversized(files)
    errors.extend(too_large.values())
    files = {part: path for part, path in files.items() if part not in too_large}
    directory = intents = cases = rules = schedules = None
    try:
        if "directory" in files:
            path = files["directory"]
            directory = (
                Directory.load_csv(path) if path.suffix == ".csv" else Directory.load_yaml(path)
            )
    except (ValueError, YamlError) as exc:
        errors.extend(_errors_of(exc))
    encoder = meaning_encoder(meaning)
    try:
        if "intents.yaml" in files:
            intents = IntentMatcher.load(files["intents.yaml"], encoder, kind_requests())
    except ValueError as exc:
        errors.extend(_errors_of(exc))
    try:
        if "cases.csv" in files:
            cases = CaseBook.load_csv(files["cases.csv"])
    except ValueError as exc:
        errors.extend(_errors_of(exc))
    try:
        if "rules.yaml" in files:
            rules = load_rules(files["rules.yaml"])
    except RulesError as exc:
        errors.extend(exc.errors)
    try:
        if "schedules.yaml" in files:
            schedules = load_schedules(files["schedules.yaml"])
    except SchedulesError as exc:
        errors.extend(exc.errors)
    errors.extend(_empty_parts(directory, cases, files))
    if rules is not None and prompts is not None:
        errors.extend(_unknown_prompts(rules, prompts, files))
    if (
        directory is not None
        and intents is not None
        and cases is not None
        and rules is not None
        and schedules is not None
    ):
        errors.extend(cross_check(directory, intents, cases, rules, schedules, files))
        if not errors:
            return RoutingBundle(
                directory=directory,
                matcher=DirectoryMatcher(directory),
                intents=intents,
                cases=cases,
                rules=rules,
                schedules=schedules,
                source=str(folder or DEFAULT_FOLDER),
                departments=DepartmentMeaning(encoder, directory) if encoder else None,
            )
    # A part that did not load has said why (missing, too large, invalid).
    raise BundleError(errors)


def meaning_encoder(meaning: str) -> SentenceEncoder | None:
    """The sentence model named by ``[routing] meaning``; None: off, or it will not load."""
    if meaning == MEANING_OFF:
        return None
    try:
        return shared_encoder(meaning)
    except EmbeddingModelError as exc:
        log.error("intents matched by words only: %s", exc)
        return None


def _empty_parts(
    directory: Directory | None, cases: CaseBook | None, files: dict[str, Path]
) -> list[str]:
    """A ruleset with nobody to ask for, or no case book, is an export gone wrong."""
    errors: list[str] = []
    if directory is not None and len(directory) == 0:
        errors.append(
            f"{files['directory']}:1: the directory has no entries (every name would go to"
            " the switchboard) [directory-empty]"
        )
    if cases is not None and len(cases) == 0:
        errors.append(
            f"{files['cases.csv']}:1: no cases, only a header (no crime reference could reach"
            " its officer) [cases-empty]"
        )
    return errors


def _unknown_prompts(rules: RuleSet, prompts: Collection[str], files: dict[str, Path]) -> list[str]:
    where = files.get("rules.yaml", Path("rules.yaml"))
    return [
        f"{where}:{rule.line}: rule {rule.name!r} plays {rule.then.message!r},"
        " which is not in prompts/catalogue.yaml [prompt-unknown]"
        for rule in rules.rules
        if rule.then.message and rule.then.message not in prompts
    ]


def cross_check(
    directory: Directory,
    intents: IntentsLike,
    cases: CaseBook,
    rules: RuleSet,
    schedules: Schedules,
    files: dict[str, Path],
) -> list[str]:
    """Names one file uses that another lacks: schedules, intents, entries, officers."""
    ids = frozenset(e.id for e in directory.entries)
    teams = frozenset(e.team for e in directory.entries if e.team)
    names = schedules.names
    errors = rules.cross_check(names, frozenset(i.name for i in intents.intents), ids, teams)
    where = files.get("directory", Path("directory"))
    for entry in directory.entries:
        if entry.hours and entry.hours not in names:
            errors.append(
                f"{where}:{_line_of_entry(where, entry.id)}: entry {entry.id!r}:"
                f" unknown schedule {entry.hours!r} (not in schedules.yaml)"
            )
    for intent in intents.intents:
        dest = intent.destination
        if dest.startswith("directory:") and dest[len("directory:") :] not in ids:
            errors.append(
                f"{files.get('intents.yaml')}:0: intent {intent.name!r}: unknown directory"
                f" entry {dest!r}"
            )
    return errors


def _line_of_entry(path: Path, entry_id: str) -> int:
    """The line that defines ``entry_id`` (the loaders keep no lines once valid)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"""(^|[{{\s-])id:\s*['"]?{re.escape(entry_id)}['"]?\s*([,}}]|$)""")
    for number, text in enumerate(lines, 1):
        if text.startswith(f"{entry_id},") or pattern.search(text):
            return number
    return 0


def check_bundle(folder: Path, prompts: Collection[str] | None = None) -> list[str]:
    """Every error of every file in ``folder`` (with defaults for missing files); [] if valid."""
    try:
        load_bundle(folder, prompts)
    except BundleError as exc:
        return list(exc.errors)
    return []
