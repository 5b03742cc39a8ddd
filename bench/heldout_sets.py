"""Held-out request sets: their requests, and the bundle each is routed with.

A set is a folder ``bench/heldout/<set>/`` written by people who never saw the
intents or the shipped directory:

* ``requests.yaml``: a list of ``{text, expect, also?, tags?}``; ``expect`` and
  ``also`` are destinations (emergency fcr rc online switchboard directory:<id>);
* ``directory.yaml``: the set's own force directory (the shipped format);
* ``cases.csv``: ``reference,officer_id,status`` for the set's update requests;
* ``README.md``: who wrote it, how.

Each set is routed by the SHIPPED rules, intents and schedules with the set's
own directory and cases, so the figure is the shipped brain on a force it has
never seen. The tuning table (tests/unit/routing/fixtures/intents_table.yaml,
with the shipped directory) loads as a set too, so both figures print together.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from ivr.decisions import DIRECTORY_PREFIX, RC, is_destination
from ivr.routing.bundle import DEFAULT_FOLDER, BundleError, RoutingBundle, load_bundle
from ivr.routing.references import parse_reference
from ivr.yamlfile import YamlError, line_of, load_yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "bench" / "heldout"
TUNING_TABLE = ROOT / "tests" / "unit" / "routing" / "fixtures" / "intents_table.yaml"
TUNING = "tuning"
# A weekday morning with every shipped schedule open, as bench/routing.py and the labels.
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


class SetError(ValueError):
    """A set that cannot be scored; ``errors`` lists every 'file:line: message'."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True, slots=True)
class Request:
    text: str
    expect: str
    also: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def accepted(self) -> frozenset[str]:
        """Every destination that serves this caller."""
        return frozenset((self.expect, *self.also))


@dataclass(frozen=True, slots=True)
class RequestSet:
    name: str
    requests: tuple[Request, ...]
    bundle: RoutingBundle
    # Held out: its failures are not listed without --i-am-not-tuning (bench/heldout.py).
    held_out: bool
    notes: tuple[str, ...] = ()  # what the loader had to do (teams dropped, a closed schedule)


def is_dev(name: str) -> bool:
    """Sets whose misses may be read: the tuning table and ``dev_*`` sets; all else held out."""
    return name == TUNING or name.startswith("dev")


def _strings(value: Any, field: str, where: str, errors: list[str]) -> tuple[str, ...]:
    """A string or a list of strings (writers use both for ``also`` and ``tags``)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        errors.append(f"{where}: {field} must be a string or a list of non-empty strings")
        return ()
    return tuple(v.strip() for v in items)


def parse_requests(data: Any, name: str) -> tuple[Request, ...]:
    """Validated requests; SetError lists every bad row as 'file:line: message'."""
    if not isinstance(data, list) or not data:
        raise SetError([f"{name}:1: expected a non-empty list of {{text, expect, also?, tags?}}"])
    errors: list[str] = []
    requests: list[Request] = []
    for index, row in enumerate(data):
        where = f"{name}:{line_of(data, index)}"
        if not isinstance(row, dict):
            errors.append(f"{where}: item {index + 1} is not a mapping")
            continue
        text, expect = row.get("text"), row.get("expect")
        bad = len(errors)
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where}: item {index + 1}: text is missing or not a string")
        if not isinstance(expect, str) or not is_destination(expect.strip()):
            errors.append(f"{where}: item {index + 1}: expect {expect!r} is not a destination")
        also = _strings(row.get("also"), "also", where, errors)
        errors += [
            f"{where}: also {a!r} is not a destination" for a in also if not is_destination(a)
        ]
        tags = _strings(row.get("tags"), "tags", where, errors)
        if len(errors) == bad:
            assert isinstance(text, str) and isinstance(expect, str)
            requests.append(Request(" ".join(text.split()), expect.strip(), also, tags))
    if errors:
        raise SetError(errors)
    return tuple(requests)


def set_bundle(folder: Path) -> tuple[RoutingBundle, tuple[str, ...]]:
    """The shipped rules, intents and schedules with the set's directory and cases."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="heldout-") as tmp_name:
        tmp = Path(tmp_name)  # only the set's two files: the rest come from routing_rules/
        for part in ("directory.yaml", "cases.csv"):
            if not (folder / part).is_file():
                raise SetError([f"{folder / part}:0: missing"])
            shutil.copyfile(folder / part, tmp / part)
        notes.extend(own_alternatives(folder / "directory.yaml", tmp / "rules.yaml"))
        try:
            bundle = load_bundle(tmp)
        except BundleError as exc:
            raise SetError([e.replace(str(tmp), str(folder)) for e in exc.errors]) from exc
    closed = sorted(n for n in bundle.schedules.names if not bundle.schedules.is_open(n, AT))
    if closed:
        notes.append(f"schedules closed at {AT:%a %H:%M}: {', '.join(closed)}")
    return bundle, tuple(notes)


def own_alternatives(directory: Path, rules_out: Path) -> list[str]:
    """The shipped rules with only the ``alternatives`` the set's directory has, written to
    ``rules_out`` when any is dropped: where a closed unit's calls go is the shipped force's
    setting (its firearms licensing team), and a set written without that id is another
    force, as an admin's import would say (ivr.directory_refs)."""
    try:
        entries = load_yaml(directory).get("entries") or []
    except (OSError, YamlError, AttributeError):
        return []  # the bundle's loader reports a broken directory with its line
    known = {str(e.get("id")).lower() for e in entries if isinstance(e, dict)}
    known |= {
        str(t).lower()
        for e in entries
        if isinstance(e, dict)
        for t in (e.get("team"), *(e.get("teams") or ()))
        if t
    }
    rules = yaml.safe_load((DEFAULT_FOLDER / "rules.yaml").read_text(encoding="utf-8"))
    alternatives = rules.get("alternatives") or {}
    dropped = sorted(str(k) for k in alternatives if str(k).lower() not in known)
    if not dropped:
        return []
    rules["alternatives"] = {k: v for k, v in alternatives.items() if str(k) not in dropped}
    rules_out.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return [f"shipped alternatives not in the set's directory, left out: {', '.join(dropped)}"]


def load_set(folder: Path) -> RequestSet:
    """A set folder (``bench/heldout/<set>``); SetError says what is wrong with it."""
    if not folder.is_dir():
        raise SetError([f"{folder}:0: not a folder"])
    path = folder / "requests.yaml"
    try:
        requests = parse_requests(load_yaml(path), str(path))
    except (OSError, YamlError) as exc:
        raise SetError([f"{path}:0: {exc}"]) from exc
    bundle, notes = set_bundle(folder)
    ids = {e.id for e in bundle.directory.entries}
    unknown = sorted(
        {
            d
            for r in requests
            for d in r.accepted
            if d.startswith(DIRECTORY_PREFIX) and d[len(DIRECTORY_PREFIX) :] not in ids
        }
    )
    if unknown:  # always a miss: the set's own error, said rather than silently scored
        notes = (*notes, f"expected but not in the set's directory: {', '.join(unknown)}")
    return RequestSet(folder.name, requests, bundle, not is_dev(folder.name), notes)


def load_tuning() -> RequestSet:
    """The tuning table as a set: each row expects its intent's destination.

    An update request that names a crime reference is served by the officer in charge
    of that case (or the Resolution Centre when it is closed with no further action),
    as bench/routing.py counts it.
    """
    bundle = load_bundle(None)
    destinations = {i.name: i.destination for i in bundle.intents.intents}
    requests = []
    for row in load_yaml(TUNING_TABLE):
        text, intent = str(row["text"]), str(row["intent"])
        if intent not in destinations:
            raise SetError([f"{TUNING_TABLE}:{line_of(row)}: unknown intent {intent!r}"])
        also: tuple[str, ...] = ()
        reference = parse_reference(text)
        case = bundle.cases.get(reference) if reference else None
        if case is not None:
            closed = "no further action" in case.status.lower()
            also = (RC,) if closed else (f"{DIRECTORY_PREFIX}{case.officer_id}",)
        requests.append(Request(text, destinations[intent], also, (intent,)))
    return RequestSet(TUNING, tuple(requests), bundle, held_out=False)


def find_sets(names: Sequence[str]) -> list[Path]:
    """Named sets (a name under bench/heldout/ or a folder), or every set there."""
    if not names:
        found = sorted(p.parent for p in SETS.glob("*/requests.yaml"))
        return found
    folders = []
    for name in names:
        path = Path(name)
        folders.append(path if path.is_dir() or "/" in name else SETS / name)
    return folders
