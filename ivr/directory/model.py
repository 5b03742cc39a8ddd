"""The directory of people and departments callers can ask for by name.

Admins keep it in ``routing_rules/directory.yaml`` (hand-edited, so every
error names its line) or import a force's CSV export. Both go through the
same validation, every error of a file is collected, and a file with any
error loads nothing: a half-loaded directory would silently send callers to
the switchboard for the people it dropped.

YAML layout (one list, so that ``kind`` is checked like any other field)::

    entries:
      - id: sarah-johnson          # [a-z0-9-]; becomes "directory:<id>"
        kind: person               # person | department
        name: Sarah Johnson
        rank: PC                   # code or spoken form; "" or STAFF = no rank
        first_name: Sarah          # optional; default: all but the last word
        surname: Johnson           # optional; default: the last word
        team: CID Burglary
        aliases: [Sal]             # person: other first names; department: other names
        extension: "4101"          # a string: extension or endpoint
        hours: office-hours        # schedule name in schedules.yaml; "" = always
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory.hours import HoursResolver, known_schedules, with_schedule
from ivr.directory.ranks import RANK_TITLES, rank_code
from ivr.directory.writing import replace_file, yaml_text
from ivr.yamlfile import LineDict, YamlError, line_of, load_yaml
from ivr.yamlshape import Kind as ShapeKind
from ivr.yamlshape import Problems, Shape

__all__ = [
    "CSV_COLUMNS",
    "Directory",
    "DirectoryEntry",
    "DirectoryError",
    "Kind",
]

Kind = Literal["person", "department"]
CSV_COLUMNS = ("id", "kind", "name", "rank", "aliases", "extension", "hours", "team")
_REQUIRED_CSV = ("id", "kind", "name", "extension")
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Field types are _build's to check: it reads CSV rows too, and an empty field is "".
_ENTRY = Shape(
    dict.fromkeys(
        (
            "id",
            "kind",
            "name",
            "rank",
            "first_name",
            "surname",
            "team",
            "aliases",
            "extension",
            "hours",
        ),
        ShapeKind.ANY,
    )
)
_TOP = Shape(
    {"entries": ShapeKind.LIST}, hint="with 'entries:'", may_be_empty=frozenset({"entries"})
)


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A person or department a caller can be put through to."""

    id: str
    kind: Kind
    name: str
    rank: str = ""  # canonical code (ranks.RANKS); "" for departments
    first_name: str = ""
    surname: str = ""
    team: str = ""
    aliases: tuple[str, ...] = ()
    extension: str = ""  # extension number or endpoint ("Local/...@ivr-agents")
    hours: str = ""  # schedule name; "" = always

    @property
    def destination(self) -> str:
        return f"{DIRECTORY_PREFIX}{self.id}"

    @property
    def spoken_name(self) -> str:
        """What a confirm prompt says: "PC Sarah Johnson", "Firearms Licensing"."""
        title = RANK_TITLES.get(self.rank, "") if self.kind == "person" else ""
        return f"{title} {self.name}".strip()


class DirectoryError(ValueError):
    """A directory file with errors; ``errors`` holds every "file:line: message"."""

    error_id = "directory-invalid"

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        shown = "; ".join(self.errors[:5])
        more = f" (+{len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} directory error(s): {shown}{more}")


def _build(
    raw: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[DirectoryEntry | None, list[str]]:
    """Validate one record (YAML mapping or CSV row) into an entry, or its errors.

    ``where(field)`` gives the "file:line" prefix for a field so YAML errors
    point at the offending key and CSV errors at the row.
    """
    errors: list[str] = []

    def text(field: str) -> str:
        value = raw.get(field, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.append(f"{where(field)}: {field} must be a string, not {type(value).__name__}")
            return ""
        return one_line(field, value)

    def one_line(field: str, value: str) -> str:
        # A line break inside a name is a broken export (a quote out of place), not a
        # name: folding it into a space would put half a name and a stray word live.
        if value and value.splitlines() != [value]:
            errors.append(
                f"{where(field)}: {field} {value!r} spans lines; one line each"
                " [directory-field-multiline]"
            )
        return " ".join(value.split())

    entry_id = text("id")
    kind = text("kind")
    name = text("name")
    rank_raw = text("rank")
    extension = text("extension")
    hours = text("hours")
    team = text("team")
    first_name = text("first_name")
    surname = text("surname")
    aliases_raw = raw.get("aliases", ())
    aliases: list[str] = []
    if isinstance(aliases_raw, str):
        joined = one_line("aliases", aliases_raw)
        aliases = [a for a in (p.strip() for p in joined.split(";")) if a]
    elif isinstance(aliases_raw, list | tuple):
        for item in aliases_raw:
            if not isinstance(item, str) or not item.strip():
                errors.append(f"{where('aliases')}: aliases must be non-empty strings")
                break
            aliases.append(one_line("aliases", item))
    elif aliases_raw is not None:
        errors.append(f"{where('aliases')}: aliases must be a list of strings")

    if not entry_id:
        errors.append(f"{where('id')}: id is missing")
    elif not _ID.match(entry_id):
        errors.append(
            f"{where('id')}: id {entry_id!r} must be lower-case letters, digits and '-'"
            " (it becomes directory:<id> and a dial suffix)"
        )
    if kind not in ("person", "department"):
        errors.append(f"{where('kind')}: kind {kind!r} must be 'person' or 'department'")
    if not name:
        errors.append(f"{where('name')}: name is missing")
    if not extension:
        errors.append(f"{where('extension')}: extension is missing")
    elif " " in extension:
        errors.append(f"{where('extension')}: extension {extension!r} contains spaces")
    rank = ""
    if kind == "person":
        code = rank_code(rank_raw) if rank_raw else "STAFF"
        if code is None:
            errors.append(f"{where('rank')}: unknown rank {rank_raw!r}")
        else:
            rank = code
    elif kind == "department" and rank_raw:
        errors.append(f"{where('rank')}: a department has no rank (got {rank_raw!r})")
    if errors or kind not in ("person", "department"):
        return None, errors
    if kind == "person":
        words = name.split()
        if not surname:
            surname = words[-1]
        if not first_name:
            first_name = " ".join(words[:-1]) if len(words) > 1 else ""
    entry = DirectoryEntry(
        id=entry_id,
        kind="person" if kind == "person" else "department",
        name=name,
        rank=rank,
        first_name=first_name,
        surname=surname,
        team=team,
        aliases=tuple(aliases),
        extension=extension,
        hours=hours,
    )
    return entry, errors


class Directory:
    """An immutable, validated set of entries with lookup by id."""

    def __init__(self, entries: tuple[DirectoryEntry, ...] | list[DirectoryEntry] = ()) -> None:
        self.entries: tuple[DirectoryEntry, ...] = tuple(entries)
        self._by_id = {e.id: e for e in self.entries}
        if len(self._by_id) != len(self.entries):
            raise DirectoryError(["<directory>:0: duplicate ids"])

    def get(self, entry_id: str) -> DirectoryEntry | None:
        return self._by_id.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[DirectoryEntry]:
        return iter(self.entries)

    # --- YAML ---------------------------------------------------------------

    @classmethod
    def load_yaml(cls, path: Path, hours: HoursResolver | None = None) -> Directory:
        try:
            data = load_yaml(path)
        except YamlError as exc:
            raise DirectoryError([str(exc)]) from exc
        return cls.from_data(data, str(path), hours)

    @classmethod
    def from_data(cls, data: Any, name: str, hours: HoursResolver | None = None) -> Directory:
        """Validate parsed YAML (LineDict/LineList from ivr.yamlfile); ``hours`` as for CSV."""
        problems = Problems(name)
        top = _TOP.check(LineDict() if data is None else data, problems, line=1)
        if top is None:
            raise DirectoryError(problems.items)
        items = top.get("entries") or []
        entries: list[DirectoryEntry] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(items):
            item_line = line_of(items, index)
            item = _ENTRY.check(raw, problems, "entry", item_line)
            if item is None:
                continue

            def where(field: str, item: LineDict = item) -> str:
                return f"{name}:{item.line_of(field)}"

            entry, errs = _build(item, where)
            problems.items.extend(errs)
            if entry is not None and hours is not None:
                entry = with_schedule(entry, hours, where("hours"), problems.items)
            if entry is not None:
                line = item.line_of("id")
                if entry.id in seen:
                    problems.add(
                        line, f"duplicate id {entry.id!r} (first on line {seen[entry.id]})"
                    )
                else:
                    seen[entry.id] = line
                    entries.append(entry)
        errors = problems.items
        if errors:
            raise DirectoryError(errors)
        return cls(entries)

    def to_yaml(self, path: Path, header: str = "") -> None:
        """Write atomically (temp file + replace): a reader never sees half a file."""
        replace_file(path, self.yaml_text(header))

    def yaml_text(self, header: str = "") -> str:
        return yaml_text(self.entries, header)

    # --- CSV ----------------------------------------------------------------

    @classmethod
    def load_csv(
        cls,
        path: Path,
        progress: Callable[[int], None] | None = None,
        schedules: Collection[str] | HoursResolver | None = None,
    ) -> Directory:
        """Load a force export; every bad row is reported as "file:line: message".

        ``schedules``: the names an entry's ``hours`` may take, or a resolver that turns
        each cell into the schedule name to keep (None: not checked here).
        """
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return cls.parse_csv(handle, str(path), progress, schedules)
        except OSError as exc:
            raise DirectoryError([f"{path}:0: cannot read: {exc.strerror}"]) from exc
        except UnicodeDecodeError as exc:
            raise DirectoryError([f"{path}:0: not UTF-8 text ({exc.reason})"]) from exc

    @classmethod
    def parse_csv(
        cls,
        lines: Any,
        name: str,
        progress: Callable[[int], None] | None = None,
        schedules: Collection[str] | HoursResolver | None = None,
    ) -> Directory:
        hours = known_schedules(schedules) if isinstance(schedules, Collection) else schedules
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            raise DirectoryError([f"{name}:1: empty file (a header row is required)"]) from None
        except csv.Error as exc:
            raise DirectoryError([f"{name}:1: {exc}"]) from exc
        columns = [h.strip().lstrip("\ufeff").lower() for h in header]
        missing = [c for c in _REQUIRED_CSV if c not in columns]
        if missing:
            raise DirectoryError(
                [
                    f"{name}:1: header lacks column(s) {', '.join(missing)}"
                    f" (expected {','.join(CSV_COLUMNS)})"
                ]
            )
        index = {col: i for i, col in reversed(list(enumerate(columns)))}  # first wins
        known = [c for c in (*CSV_COLUMNS, "first_name", "surname") if c in index]
        errors: list[str] = []
        entries: list[DirectoryEntry] = []
        seen: dict[str, int] = {}
        start = reader.line_num + 1
        rows = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.append(f"{name}:{start}: {exc}")
                break
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            record = {c: (row[index[c]] if index[c] < len(row) else "") for c in known}
            entry, errs = _build(record, _fixed(f"{name}:{line}"))
            errors.extend(errs)
            if entry is not None and hours is not None:
                entry = with_schedule(entry, hours, f"{name}:{line}", errors)
            if entry is not None:
                if entry.id in seen:
                    errors.append(
                        f"{name}:{line}: duplicate id {entry.id!r} (first on line {seen[entry.id]})"
                    )
                else:
                    seen[entry.id] = line
                    entries.append(entry)
            if progress is not None and rows % 1000 == 0:
                progress(rows)
        if progress is not None:
            progress(rows)
        if errors:
            raise DirectoryError(errors)
        return cls(entries)


def _fixed(prefix: str) -> Callable[[str], str]:
    """A CSV row has one line for all its fields."""

    def where(_field: str) -> str:
        return prefix

    return where
