"""First names' short forms callers say ("Bartek" for Bartłomiej): shipped product knowledge.

ivr/directory/data/short_names.yaml lists them by the full name's normalised form; the
DirectoryIndex adds a person's short forms to their nicknames (the directory's own
``aliases:``), so "Seun Adeyemi" finds Oluwaseun Adeyemi as "Dai Rowlands" would find a
Dafydd listed with the alias Dai.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources

import yaml

from ivr.directory.entry import DirectoryEntry
from ivr.text import normalise

__all__ = ["first_forms", "short_forms"]


@functools.cache
def shipped_short_names() -> Mapping[str, tuple[str, ...]]:
    """Full first name (normalised) -> its short forms (normalised)."""
    text = resources.files("ivr.directory").joinpath("data/short_names.yaml").read_text()
    table = yaml.safe_load(text)["short_names"]
    return {
        normalise(str(full)): tuple(normalise(str(s)) for s in shorts)
        for full, shorts in table.items()
    }


def short_forms(first_names: Iterable[str]) -> tuple[str, ...]:
    """The short forms of these first-name words, in table order, without repeats."""
    table = shipped_short_names()
    return tuple(dict.fromkeys(s for name in first_names for s in table.get(name, ())))


def first_forms(entry: DirectoryEntry) -> tuple[str, ...]:
    """Every first name a caller may know a person by: their own and their directory
    aliases as written, and the short forms of their own ("seun" for Oluwaseun)."""
    own = entry.first_name
    shorts = short_forms(normalise(own).split())
    return tuple(f for f in dict.fromkeys((own, *entry.aliases, *shorts)) if f)
