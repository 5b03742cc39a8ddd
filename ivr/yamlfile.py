"""YAML that remembers where things were, for admin-edited files.

Admins edit rules, intents, the directory and schedules by hand; an error
must name the file and line. ``load_yaml`` returns plain dicts and lists
(subclasses that carry line numbers) and refuses duplicate keys, which
PyYAML would otherwise silently overwrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A file that is not valid YAML, or repeats a key; message is 'file:line: what'."""

    error_id = "yaml-invalid"


class DataFileError(ValueError):
    """An admin-edited file is invalid; ``errors`` lists every 'file:line: message'.

    Loaders collect every error of a file before raising, so an admin fixes
    the file in one go, and a bad file is never half-loaded.
    """

    error_id = "data-file-invalid"

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)

    def __reduce__(self) -> tuple[type[DataFileError], tuple[list[str]]]:
        # Raised in the process that builds published rules: it must cross back whole.
        return (type(self), (self.errors,))


class LineDict(dict[str, Any]):
    """A mapping with the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence with the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser where PyYAML has it (about 3x faster on a big directory; the same
# marks, so the same line numbers); the pure-Python one otherwise.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]  # a base chosen at import
    name: str = "<string>"


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise YamlError(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r}"
                f" (first on line {result.key_lines[key]})"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def parse_yaml(text: str, name: str = "<string>") -> Any:
    """Parse YAML text; mappings become LineDict, sequences LineList."""
    try:
        loader = _Loader(text)
        loader.name = name  # used in error marks
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(f"{name}:{line}: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"{name}: {exc}") from exc


def load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        # file:0: like every other data-file error (line 0: the file as a whole)
        raise YamlError(f"{path}:0: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise YamlError(f"{path}:0: not UTF-8 text ({exc.reason})") from exc
    return parse_yaml(text, str(path))


def line_of(node: Any, key: str | int | None = None) -> int:
    """Best-known line of a node (or of one of its keys/items); 0 when unknown."""
    if isinstance(node, LineDict):
        return node.line_of(str(key)) if key is not None else node.line
    if isinstance(node, LineList):
        return node.line_of(key) if isinstance(key, int) else node.line
    return 0


def load_data(path: Path, error: type[DataFileError]) -> Any:
    """``load_yaml`` whose syntax errors come as the file's own error type."""
    try:
        return load_yaml(path)
    except YamlError as exc:
        raise error([str(exc)]) from exc


def parse_data(text: str, name: str, error: type[DataFileError]) -> Any:
    """``parse_yaml`` whose syntax errors come as the file's own error type."""
    try:
        return parse_yaml(text, name)
    except YamlError as exc:
        raise error([str(exc)]) from exc
