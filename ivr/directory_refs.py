"""What else names a directory entry: the ids a new directory would leave dangling.

Rules, intents, cases and queues name entries by id. A force's export renames
a department or drops a leaver, and the next reload would refuse the whole
ruleset (a rule or intent naming no entry fails ``ivr rules check``), or a
case's callers would quietly get the SMS link instead of their officer. The
importer asks ``find_dangling`` before writing anything: each dangling name
comes back with where it is, what uses it, whether ``ivr rules check`` would
fail on it (the import is then refused) and the closest id or name in the new
directory, so the admin fixes a typo rather than hunting for it.

It reads the routing package's files and the directory both, so it sits
beside the importer, above the two packages.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory import Directory
from ivr.queues.model import DEFAULT_QUEUES_FILE, QueuesConfigError
from ivr.queues.queues_yaml import load_queues_config
from ivr.routing.bundle import resolve_files
from ivr.routing.intents import IntentMatcher
from ivr.routing.rules import RulesError, RuleSet
from ivr.routing.rules_yaml import load_rules

__all__ = ["Dangling", "Suggester", "find_dangling"]

_CUTOFF = 75.0  # rapidfuzz WRatio: below this a "did you mean" misleads more than it helps


@dataclass(frozen=True, slots=True)
class Dangling:
    """One name another file uses that the new directory lacks."""

    where: str  # "path:line"
    user: str  # "rule `crime-bureau-hours` sends to"
    missing: str
    suggestion: str | None
    refuses: bool  # `ivr rules check` would fail on it: the import is refused
    consequence: str = ""  # what happens instead, when it does not refuse
    team_too: bool = False  # a team's name would do as well (rules' alternatives)

    def message(self) -> str:
        hint = (
            f"did you mean `{self.suggestion}`?"
            if self.suggestion
            else "no close id or name in the new directory"
        )
        if self.refuses:
            return (
                f"{self.where}: {self.user} `{self.missing}`, not in the new directory; {hint}"
                " [directory-import-dangling]"
            )
        return (
            f"{self.where}: warning: {self.user} `{self.missing}`, not in the new directory"
            f" ({self.consequence}); {hint} [directory-import-dangling]"
        )


class Suggester:
    """The new directory's closest id (or team) to a missing one.

    An entry whose id changed but whose name did not is the surest match, so the
    old directory's name for the missing id is tried first; then the ids by spelling.
    """

    def __init__(self, new: Directory, old: Directory | None) -> None:
        self._old = old
        self._ids = [e.id for e in new]
        self._teams = sorted({e.team for e in new if e.team})
        self._by_name: dict[str, list[str]] = defaultdict(list)
        for entry in new:
            self._by_name[entry.name.casefold()].append(entry.id)

    def suggest(self, missing: str, teams: bool = False) -> str | None:
        before = self._old.get(missing) if self._old is not None else None
        if before is not None:
            same = self._by_name.get(before.name.casefold(), [])
            if len(same) == 1:
                return same[0]
        choices = self._ids + self._teams if teams else self._ids
        best = process.extractOne(missing, choices, scorer=fuzz.WRatio, score_cutoff=_CUTOFF)
        return str(best[0]) if best is not None else None


def find_dangling(
    folder: Path, new: Directory, old: Callable[[], Directory | None] = lambda: None
) -> list[Dangling]:
    """Every name the ruleset in ``folder`` (its own files, else the shipped ones) uses that
    ``new`` lacks. Files that do not load are skipped: ``ivr rules check`` says why.

    ``old`` gives the directory in use now, read only when something dangles (a
    force's whole directory is worth reading only to explain a problem)."""
    files, _ = resolve_files(folder)
    ids = frozenset(e.id for e in new)
    teams = frozenset(e.team for e in new if e.team)
    found: list[Dangling] = []
    if "rules.yaml" in files:
        found.extend(_in_rules(files["rules.yaml"], ids, teams))
    if "intents.yaml" in files:
        found.extend(_in_intents(files["intents.yaml"], ids))
    if "cases.csv" in files:
        found.extend(_in_cases(files["cases.csv"], ids))
    queues = folder / "queues.yaml"
    found.extend(_in_queues(queues if queues.is_file() else DEFAULT_QUEUES_FILE, ids))
    if not found:
        return []
    suggester = Suggester(new, old())
    return [replace(d, suggestion=suggester.suggest(d.missing, d.team_too)) for d in found]


def _in_rules(path: Path, ids: frozenset[str], teams: frozenset[str]) -> Iterator[Dangling]:
    try:
        rules = load_rules(path)
    except RulesError:
        return
    keypad = {option.line: key for key, option in rules.keypad.items()}
    covers = {ref.line: ref.value for ref in rules.references if ref.kind == "alternative"}
    for ref in rules.references:
        where = f"{path}:{ref.line}"
        if ref.kind == "alternative" and ref.value not in ids | teams:
            user = "alternatives: the cover for closed hours names"
            yield Dangling(where, user, ref.value, None, refuses=True, team_too=True)
        elif ref.kind == "directory" and ref.value not in ids:
            if ref.line in keypad:
                user = f"keypad key `{keypad[ref.line]}` sends to"
            elif ref.line in covers:
                user = f"alternatives: `{covers[ref.line]}` is covered by"
            else:
                user = _rule_user(rules, ref.line, ref.value)
            yield Dangling(where, user, ref.value, None, refuses=True)


def _rule_user(rules: RuleSet, line: int, entry_id: str) -> str:
    starts = [rule.line for rule in rules.rules]
    index = bisect_right(starts, line) - 1
    if index < 0:
        return "rules.yaml names"
    rule = rules.rules[index]
    verb = "sends to" if rule.then.route == f"{DIRECTORY_PREFIX}{entry_id}" else "names"
    return f"rule `{rule.name}` {verb}"


def _in_intents(path: Path, ids: frozenset[str]) -> Iterator[Dangling]:
    try:
        intents = IntentMatcher.load(path)
    except ValueError:
        return
    lines = _text_lines(path)
    for intent in intents.intents:
        dest = intent.destination
        if dest.startswith(DIRECTORY_PREFIX) and dest[len(DIRECTORY_PREFIX) :] not in ids:
            line = next((n for n, text in lines if dest in text), 0)
            user = f"intent `{intent.name}` sends to"
            yield Dangling(f"{path}:{line}", user, dest[len(DIRECTORY_PREFIX) :], None, True)


def _in_cases(path: Path, ids: frozenset[str]) -> Iterator[Dangling]:
    """One warning per missing officer (first line, how many cases): an export that drops
    a leaver with a hundred open cases is one thing to fix, not a hundred."""
    first: dict[str, tuple[int, str]] = {}
    count: dict[str, int] = defaultdict(int)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip().lower() for h in next(reader, [])]
            if "officer_id" not in header or "reference" not in header:
                return
            who, ref = header.index("officer_id"), header.index("reference")
            for row in reader:
                if len(row) <= max(who, ref) or not row[who].strip():
                    continue
                officer = row[who].strip()
                if officer not in ids:
                    first.setdefault(officer, (reader.line_num, row[ref].strip()))
                    count[officer] += 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # the case book's own errors are `ivr rules check`'s to report
    for officer, (line, reference) in first.items():
        n = count[officer]
        user = f"case {reference}" + (f" (and {n - 1} more)" if n > 1 else "") + " names officer"
        consequence = "callers quoting it get the tracking link by SMS"
        yield Dangling(f"{path}:{line}", user, officer, None, False, consequence)


def _in_queues(path: Path, ids: frozenset[str]) -> Iterator[Dangling]:
    try:
        queues = load_queues_config(path)
    except QueuesConfigError:
        return
    lines = _text_lines(path)
    for name in queues.queues:
        if name.startswith(DIRECTORY_PREFIX) and name[len(DIRECTORY_PREFIX) :] not in ids:
            line = next((n for n, text in lines if name in text), 0)
            missing = name[len(DIRECTORY_PREFIX) :]
            consequence = "its queue settings go unused"
            yield Dangling(
                f"{path}:{line}", "queue settings are for", missing, None, False, consequence
            )


def _text_lines(path: Path) -> list[tuple[int, str]]:
    try:
        return list(enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1))
    except (OSError, UnicodeDecodeError):
        return []
