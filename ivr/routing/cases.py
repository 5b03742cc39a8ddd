"""Which officer is in charge of which crime reference.

Update requests ("any news on my crime?") are a large share of 101 demand;
with the reference the engine can send the caller straight to the officer
in charge. The case book is a CSV exported from the records system:
``reference,officer_id,status`` (extra columns are ignored so an export
with more fields still loads), and optionally ``public_status``: what a
caller may be told, one of ivr.routing.case_status.PublicStatus, for a
status the fixed keyword table reads wrongly (empty: the table decides).
Like every data file, all problems are collected with "file:line: message"
and raised together, never half-loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ivr.routing.case_status import PublicStatus, public_status_of
from ivr.routing.references import is_reference, parse_reference
from ivr.yamlfile import DataFileError

__all__ = ["Case", "CaseBook", "CasesError"]

REQUIRED_COLUMNS = ("reference", "officer_id", "status")
HELD_SERIAL = 5  # CaseBook.holding: the shortest serial found inside a longer run


class CasesError(DataFileError):
    """cases.csv is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "cases-invalid"


@dataclass(frozen=True, slots=True)
class Case:
    reference: str  # canonical, "42/18734/24"
    officer_id: str  # a directory entry id
    status: str  # the records system's words: never spoken or texted
    pinned: PublicStatus | None = None  # the ``public_status`` column, when filled

    @property
    def public_status(self) -> PublicStatus:
        """What the caller may be told: the admin's pin, else the status read by the table."""
        return self.pinned or public_status_of(self.status)


class CaseBook:
    """Cases by canonical reference."""

    def __init__(self, cases: Iterable[Case] = ()) -> None:
        self._cases: dict[str, Case] = {}
        for case in cases:
            self._cases[case.reference] = case
        # Each reference's digits alone ("421873424"): one-to-one, as the force code and
        # the year are always two digits; what near misses are measured on.
        self._by_digits = {_digits(ref): case for ref, case in self._cases.items()}
        self._all_digits = list(self._by_digits)
        # Serials long enough to be told inside a longer run (``holding``) -> (force, case).
        self._by_serial: dict[str, list[tuple[str, Case]]] = {}
        for ref, case in sorted(self._cases.items()):
            force, serial, _ = ref.split("/")
            if len(serial) >= HELD_SERIAL:
                self._by_serial.setdefault(serial, []).append((force, case))

    @classmethod
    def load_csv(cls, path: Path) -> CaseBook:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CasesError([f"{path}:0: cannot read: {exc.strerror}"]) from exc
        except UnicodeDecodeError as exc:
            raise CasesError([f"{path}:0: not UTF-8 text ({exc.reason})"]) from exc
        return cls.parse_csv(text, str(path))

    @classmethod
    def parse_csv(cls, text: str, source: str = "<string>") -> CaseBook:
        errors: list[str] = []
        cases: list[Case] = []
        first_line: dict[str, int] = {}
        reader = csv.reader(text.removeprefix("\ufeff").splitlines())
        header: list[str] | None = None
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if header is None:
                    header = [cell.strip().lower() for cell in row]
                    missing = [c for c in REQUIRED_COLUMNS if c not in header]
                    if missing:
                        errors.append(
                            f"{source}:{line}: header lacks {', '.join(missing)}"
                            f" (expected {','.join(REQUIRED_COLUMNS)})"
                        )
                        break
                    continue
                case = _row(row, header, source, line, errors)
                if case is None:
                    continue
                if case.reference in first_line:
                    errors.append(
                        f"{source}:{line}: duplicate reference {case.reference}"
                        f" (first on line {first_line[case.reference]})"
                    )
                    continue
                first_line[case.reference] = line
                cases.append(case)
        except csv.Error as exc:
            errors.append(f"{source}:{reader.line_num}: {exc}")
        if header is None and not errors:
            errors.append(f"{source}:1: empty file (expected header {','.join(REQUIRED_COLUMNS)})")
        if errors:
            raise CasesError(errors)
        return cls(cases)

    def get(self, reference: str) -> Case | None:
        """The case for a canonical reference, or for one still in spoken/keyed form."""
        case = self._cases.get(reference)
        if case is None and not is_reference(reference):
            parsed = parse_reference(reference)
            case = self._cases.get(parsed) if parsed else None
        return case

    def near(self, digit_runs: Iterable[str], edits: int = 1) -> list[Case]:
        """Cases whose digits are within ``edits`` of any run: one digit wrong, dropped or
        doubled, as a recogniser mishears a reference. The runs may be references
        ("42/18734/25") or bare digits; exact matches count too. Best first, by reference.
        """
        found: dict[str, tuple[int, Case]] = {}
        for run in digit_runs:
            digits = _digits(run)
            if not digits:
                continue
            # Said as a reference, its force and year are what they say: another force's
            # ("41/...") or another year's is another case, not a digit misheard.
            said = run.split("/")
            for key, distance, _ in process.extract(
                digits,
                self._all_digits,
                scorer=Levenshtein.distance,
                score_cutoff=edits,
                limit=None,
            ):
                case = self._by_digits[key]
                if len(said) == 3 and not _same_force_and_year(said, case.reference):
                    continue
                if case.reference not in found or distance < found[case.reference][0]:
                    found[case.reference] = (int(distance), case)
        return [case for _, case in sorted(found.values(), key=lambda f: (f[0], f[1].reference))]

    def holding(self, digit_runs: Iterable[str]) -> list[Case]:
        """Cases whose force code starts a run and whose serial is said whole inside it:
        a reference with digits added around its serial by the recogniser ("766-10482-266"
        for "seven six stroke one oh four eight two stroke two six"). Serials of five
        digits or more only: a shorter one turns up inside any long number. A reference said
        whole with the case's very serial is another force's or year's case, as in ``near``."""
        found: dict[str, Case] = {}
        for run in digit_runs:
            digits = _digits(run)
            said = run.split("/")[1] if is_reference(run) else None
            # Every stretch of the run a serial could be (the run's length squared, not
            # the case book's size: this is on the call's path).
            for start in range(1, len(digits)):
                for end in range(start + HELD_SERIAL, len(digits) + 1):
                    serial = digits[start:end]
                    for force, case in self._by_serial.get(serial, ()):
                        if serial != said and start >= len(force) and digits.startswith(force):
                            found[case.reference] = case
        return [found[r] for r in sorted(found)]

    def __len__(self) -> int:
        return len(self._cases)

    def __iter__(self) -> Iterator[Case]:
        return iter(self._cases.values())

    def __contains__(self, reference: object) -> bool:
        return isinstance(reference, str) and self.get(reference) is not None


def _same_force_and_year(said: list[str], reference: str) -> bool:
    parts = reference.split("/")
    return len(parts) == 3 and (said[0], said[2]) == (parts[0], parts[2])


def _digits(reference: str) -> str:
    return "".join(ch for ch in reference if ch.isdigit())


def _row(
    row: list[str], header: list[str], source: str, line: int, errors: list[str]
) -> Case | None:
    values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
    bad = False
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            errors.append(f"{source}:{line}: empty {column}")
            bad = True
    reference = values.get("reference", "")
    if reference and not is_reference(reference):
        hint = parse_reference(reference)
        suggestion = f" (did you mean {hint}?)" if hint else ""
        errors.append(
            f"{source}:{line}: reference {reference!r} is not FF/SSSSS/YY"
            f" (2-digit force / 4-7 digit serial / 2-digit year){suggestion}"
        )
        bad = True
    pinned: PublicStatus | None = None
    public = values.get("public_status", "").lower().replace(" ", "_")
    if public:
        try:
            pinned = PublicStatus(public)
        except ValueError:
            allowed = ", ".join(s.value for s in PublicStatus)
            errors.append(f"{source}:{line}: public_status {public!r} is not one of {allowed}")
            bad = True
    if bad:
        return None
    return Case(
        reference=reference, officer_id=values["officer_id"], status=values["status"], pinned=pinned
    )
