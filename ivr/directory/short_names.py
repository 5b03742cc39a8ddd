"""First names' short forms callers say ("Bartek" for Bartłomiej) and other spellings of
one sound ("Ian" for Iain): shipped product knowledge.

ivr/directory/data/short_names.yaml lists them by the directory's spelling, normalised; the
DirectoryIndex adds a person's short forms and spellings to their nicknames (the
directory's own ``aliases:``), so "Seun Adeyemi" finds Oluwaseun Adeyemi as "Dai Rowlands"
would find a Dafydd listed with the alias Dai. A spelling counts only as spelt
(PersonScorer: "Ioan" is near "Iain" and no Ian).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources

import yaml

from ivr.directory.entry import DirectoryEntry
from ivr.text import normalise

__all__ = ["first_forms", "short_forms", "spellings"]


@functools.cache
def _shipped_file() -> Mapping[str, Mapping[str, list[str]]]:
    """data/short_names.yaml, read and parsed once for both its sections."""
    text = resources.files("ivr.directory").joinpath("data/short_names.yaml").read_text()
    loaded: Mapping[str, Mapping[str, list[str]]] = yaml.safe_load(text)
    return loaded


@functools.cache
def _shipped(section: str) -> Mapping[str, tuple[str, ...]]:
    """Full first name (normalised) -> its forms (normalised), from one section of
    short_names.yaml: ``short_names`` or ``spellings``."""
    table = _shipped_file()[section]
    return {
        normalise(str(full)): tuple(normalise(str(s)) for s in forms)
        for full, forms in table.items()
    }


def _forms(section: str, first_names: Iterable[str]) -> tuple[str, ...]:
    table = _shipped(section)
    return tuple(dict.fromkeys(s for name in first_names for s in table.get(name, ())))


def short_forms(first_names: Iterable[str]) -> tuple[str, ...]:
    """The short forms of these first-name words, in table order, without repeats."""
    return _forms("short_names", first_names)


def spellings(first_names: Iterable[str]) -> tuple[str, ...]:
    """Other spellings of these first-name words' sound ("ian" for Iain), in table order."""
    return _forms("spellings", first_names)


def first_forms(entry: DirectoryEntry) -> tuple[str, ...]:
    """Every first name a caller may know a person by: their own and their directory
    aliases as written, and the short forms and other spellings of their own ("seun" for
    Oluwaseun, "rory" for Ruaridh)."""
    own = entry.first_name
    words = normalise(own).split()
    shipped = (*short_forms(words), *spellings(words))
    return tuple(f for f in dict.fromkeys((own, *entry.aliases, *shipped)) if f)
