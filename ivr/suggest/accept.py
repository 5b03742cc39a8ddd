"""Accepting a suggestion: one alias or example added to a copy of the rules, checked.

Only ever a draft folder: the shipped rules and any folder named live are refused,
so a suggestion reaches callers only through a publish. A folder that holds only
some files (the rest are the shipped ones, as for ``ivr rules check``) gets a copy
of the shipped file first. The result is loaded by the same checks as ``ivr rules
check``; if they fail, the file is put back as it was and every error is raised.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ivr.directory import Directory
from ivr.directory.writing import replace_file
from ivr.routing.bundle import DEFAULT_FOLDER, check_bundle
from ivr.routing.intents import IntentMatcher
from ivr.suggest.model import Suggestion, SuggestionKind
from ivr.suggest.yaml_edit import EditError, append_to_list, compose, find_item
from ivr.text import normalise
from ivr.yamlfile import DataFileError

DIRECTORY_FILES = ("directory.yaml", "directory.csv")


class AcceptError(DataFileError):
    """The suggestion could not go into the folder; ``errors`` says why (file:line)."""

    error_id = "suggest-accept-refused"


@dataclass(frozen=True)
class Accepted:
    """A suggestion now in a draft: the file it changed, and the suggestion with its calls."""

    suggestion: Suggestion
    file: Path


def accept(
    suggestion: Suggestion,
    folder: Path,
    *,
    live: Collection[Path] = (),
    prompts: Collection[str] | None = None,
) -> Accepted:
    """Add ``suggestion`` to the rules in ``folder`` (never a live one), validated.

    ``live``: folders a running IVR publishes from, refused like the shipped one.
    ``prompts``: the catalogue's ids, checked as ``ivr rules check`` does.
    """
    if not folder.is_dir():
        raise AcceptError([f"{folder}:0: not a folder"])
    forbidden = {DEFAULT_FOLDER.resolve(), *(p.resolve() for p in live)}
    if folder.resolve() in forbidden:
        raise AcceptError(
            [f"{folder}:0: live or shipped rules are never edited here; accept into a copy"]
        )
    path, copied = _own_copy(folder, suggestion.kind)
    try:
        before = path.read_bytes().decode("utf-8")  # line ends as they are: "\r\n" stays
    except (OSError, UnicodeDecodeError) as exc:
        raise AcceptError([f"{path}:0: cannot read it as UTF-8 text ({exc})"]) from exc
    try:
        after = _edited(suggestion, path, before)
    except EditError as exc:
        _undo(path, before, copied)
        raise AcceptError([f"{path}:0: {exc}"]) from exc
    replace_file(path, after)
    errors = check_bundle(folder, prompts)
    if not errors and not _holds(suggestion, path):
        errors = [f"{path}:0: the edit did not add {suggestion.text!r} (file left as it was)"]
    if errors:
        _undo(path, before, copied)
        raise AcceptError(errors)
    return Accepted(suggestion, path)


def _own_copy(folder: Path, kind: SuggestionKind) -> tuple[Path, bool]:
    """The folder's own file for ``kind``, copied from the shipped rules if it has none."""
    names = DIRECTORY_FILES if kind is SuggestionKind.ALIAS else ("intents.yaml",)
    for name in names:
        if (folder / name).is_file():
            return folder / name, False
    for name in names:
        if (DEFAULT_FOLDER / name).is_file():
            shutil.copyfile(DEFAULT_FOLDER / name, folder / name)
            return folder / name, True
    raise AcceptError([f"{folder}:0: no {' or '.join(names)} here or shipped"])


def _undo(path: Path, before: str, copied: bool) -> None:
    if copied:
        path.unlink(missing_ok=True)
    else:
        replace_file(path, before)


def _edited(suggestion: Suggestion, path: Path, text: str) -> str:
    if _holds(suggestion, path):
        raise EditError(f"{suggestion.target} already has {suggestion.text!r}")
    if path.suffix == ".csv":
        return add_csv_alias(text, suggestion.target, suggestion.text)
    root = compose(text, str(path))
    if suggestion.kind is SuggestionKind.ALIAS:
        return append_to_list(text, find_item(root, "entries", "id", suggestion.target),
                              "aliases", suggestion.text)  # fmt: skip
    return append_to_list(text, find_item(root, "intents", "name", suggestion.target),
                          "examples", suggestion.text)  # fmt: skip


def _holds(suggestion: Suggestion, path: Path) -> bool:
    """Whether the file (as loaded for routing) already has the suggestion's text."""
    wanted = normalise(suggestion.text)
    try:
        if suggestion.kind is SuggestionKind.ALIAS:
            directory = (
                Directory.load_csv(path) if path.suffix == ".csv" else Directory.load_yaml(path)
            )
            entry = directory.get(suggestion.target)
            texts: tuple[str, ...] = entry.aliases if entry is not None else ()
        else:
            intent = IntentMatcher.load(path).get(suggestion.target)
            texts = intent.examples if intent is not None else ()
    except ValueError:
        return False  # an invalid file: the bundle check says why
    return any(normalise(text) == wanted for text in texts)


def add_csv_alias(text: str, entry_id: str, alias: str) -> str:
    """``text`` (a directory CSV) with ``alias`` added to one row; the other rows as they were."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise EditError("no header row") from exc
    if "aliases" not in header or "id" not in header:
        raise EditError("the CSV has no aliases column: add one, then accept again")
    start = reader.line_num
    for row in reader:
        end = reader.line_num
        if len(row) > header.index("id") and row[header.index("id")].strip() == entry_id:
            column = header.index("aliases")
            row += [""] * (column + 1 - len(row))
            known = [a.strip() for a in row[column].split(";") if a.strip()]
            row[column] = "; ".join([*known, alias])
            last = lines[end - 1]
            ending = last[len(last.rstrip("\r\n")) :]  # the row's own line ending, or none
            out = io.StringIO()
            csv.writer(out, lineterminator=ending).writerow(row)
            return "".join([*lines[:start], out.getvalue(), *lines[end:]])
        start = end
    raise EditError(f"no id {entry_id!r} in the CSV")
