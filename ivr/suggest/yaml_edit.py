"""Adding one item to a list in an admin's YAML file by a minimal textual edit.

PyYAML cannot write a file back with its comments, and ruamel is no dependency: so
the file is composed (nodes with their positions) only to find where the list is,
and the new item is inserted there as text. Everything else (comments, flow or
block style, key order, blank lines) is left byte for byte.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class EditError(ValueError):
    """The file cannot take the edit as it stands; the message says why."""

    error_id = "suggest-edit"


def flow_scalar(value: str) -> str:
    """``value`` as YAML text that stays one item inside ``[...]`` and after ``- ``."""
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=2**30)
    return dumped.strip()[1:-1]


def find_item(root: Node, top: str, key: str, value: str) -> MappingNode:
    """The mapping in the ``top:`` list whose ``key`` is ``value`` (an entry, an intent)."""
    items = _value_of(root, top) if isinstance(root, MappingNode) else None
    if not isinstance(items, SequenceNode):
        raise EditError(f"no '{top}:' list")
    for item in items.value:
        if isinstance(item, MappingNode):
            found = _value_of(item, key)
            if isinstance(found, ScalarNode) and found.value == value:
                return item
    raise EditError(f"no {key} {value!r} in '{top}:'")


def append_to_list(text: str, item: MappingNode, key: str, value: str) -> str:
    """``text`` with ``value`` added to ``item``'s ``key:`` list (the key made if missing)."""
    rendered = flow_scalar(value)
    pairs = {k.value: (k, v) for k, v in item.value if isinstance(k, ScalarNode)}
    if key not in pairs:
        return _add_key(text, item, f"{key}: [{rendered}]")
    key_node, node = pairs[key]
    if isinstance(node, SequenceNode) and node.flow_style:
        if not node.value:
            return _insert(text, node.start_mark.index + 1, rendered)
        return _insert(text, node.value[-1].end_mark.index, f", {rendered}")
    if isinstance(node, SequenceNode) and node.value:
        last = node.value[-1]
        dash = text.rfind("-", 0, last.start_mark.index)
        column = dash - (text.rfind("\n", 0, dash) + 1)
        return _after_line(text, last.end_mark, f"{' ' * column}- {rendered}")
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        if node.value:  # "aliases: ~"
            return _splice(text, node, f"[{rendered}]")
        # "aliases:" with nothing after it: the list goes where the nothing is.
        colon = text.index(":", key_node.end_mark.index)
        return _insert(text, colon + 1, f" [{rendered}]")
    if isinstance(node, ScalarNode):
        # "aliases: a; b" (the CSV's form, taken in YAML too): one more after a ";".
        joined = f"{node.value}; {value}" if node.value else value
        return _splice(text, node, flow_scalar(joined))
    raise EditError(f"'{key}:' is not a list")


def _splice(text: str, node: Node, what: str) -> str:
    """``text`` with ``node``'s own span replaced by ``what``."""
    return text[: node.start_mark.index] + what + text[node.end_mark.index :]


def _add_key(text: str, item: MappingNode, line: str) -> str:
    if not item.value:
        raise EditError("an empty mapping")
    last_key, last_value = item.value[-1]
    if item.flow_style:
        return _insert(text, last_value.end_mark.index, f", {line}")
    column = last_key.start_mark.column
    return _after_line(text, last_value.end_mark, f"{' ' * column}{line}")


def _after_line(text: str, end: yaml.Mark, line: str) -> str:
    """``line`` on a line of its own after the one a node ends on."""
    if end.column == 0:  # a block scalar ends at the start of the next line
        return _insert(text, end.index, f"{line}\n")
    newline = text.find("\n", end.index)
    if newline < 0:
        return f"{text}\n{line}\n"
    if text[newline - 1] == "\r":  # the file's own line ends
        return _insert(text, newline - 1, f"\r\n{line}")
    return _insert(text, newline, f"\n{line}")


def _insert(text: str, index: int, what: str) -> str:
    return text[:index] + what + text[index:]


def _value_of(mapping: MappingNode, key: str) -> Node | None:
    return next((v for k, v in mapping.value if isinstance(k, ScalarNode) and k.value == key), None)


def compose(text: str, name: str) -> Node:
    """The node tree of ``text`` (pure-Python parser: its marks count characters)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"{name}: not valid YAML ({exc})") from exc
    if node is None:
        raise EditError(f"{name}: empty")
    return node
