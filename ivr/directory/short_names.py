"""First names' short forms callers say ("Bartek" for Bartłomiej) and other spellings of
one sound ("Ian" for Iain): shipped product knowledge.

ivr/directory/data/short_names.yaml lists them by the directory's spelling, normalised; the
DirectoryIndex adds a person's short forms and spellings to their nicknames (the
directory's own ``aliases:``), so "Seun Adeyemi" finds Oluwaseun Adeyemi as "Dai Rowlands"
would find a Dafydd listed with the alias Dai. A spelling counts only as spelt
(PersonScorer: "Ioan" is near "Iain" and no Ian), and so does a fuller form of a short
name listed ("Tommy" or "Thomas" for a Tom; "john" is near "Jonny" and no Jon's).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources

import yaml

from ivr.directory.entry import DirectoryEntry
from ivr.text import normalise

__all__ = ["first_forms", "fuller_forms", "known_first_names", "short_forms", "spellings"]


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


@functools.cache
def _fuller() -> Mapping[str, tuple[str, ...]]:
    """Short form -> the names a caller may say for someone listed by it: its full names
    and their pet forms that lengthen it ("thomas", "tommy" for a Tom; not "tina" for a
    Chris, which shortens Christina another way)."""
    out: dict[str, list[str]] = {}
    for full, shorts in _shipped("short_names").items():
        for short in shorts:
            longer = [s for s in shorts if s != short and s.startswith(short)]
            out.setdefault(short, []).extend((full, *longer))
    return {short: tuple(dict.fromkeys(names)) for short, names in out.items()}


@functools.cache
def known_first_names() -> frozenset[str]:
    """Every first name the shipped table knows, full or short ("david", "dave")."""
    return frozenset(
        name
        for section in ("short_names", "spellings")
        for full, forms in _shipped(section).items()
        for name in (full, *forms)
    )


def short_forms(first_names: Iterable[str]) -> tuple[str, ...]:
    """The short forms of these first-name words, in table order, without repeats."""
    return _forms("short_names", first_names)


def fuller_forms(first_names: Iterable[str]) -> tuple[str, ...]:
    """For a short form listed as the name, its full names and longer pet forms ("Tommy
    Bailey", "Thomas Bailey" for a Tom Bailey): like a spelling, counted only as said
    ("john" is near "jonny" and no Jon's)."""
    names = tuple(first_names)
    fuller = _fuller()
    return tuple(dict.fromkeys(f for name in names for f in fuller.get(name, ()) if f not in names))


def spellings(first_names: Iterable[str]) -> tuple[str, ...]:
    """Other spellings of these first-name words' sound ("ian" for Iain), in table order."""
    return _forms("spellings", first_names)


def first_forms(entry: DirectoryEntry) -> tuple[str, ...]:
    """Every first name a caller may know a person by: their own and their directory
    aliases as written, and the short forms, other spellings and fuller forms of their own
    ("seun" for Oluwaseun, "rory" for Ruaridh, "tommy" for Tom)."""
    own = entry.first_name
    words = normalise(own).split()
    shipped = (*short_forms(words), *spellings(words), *fuller_forms(words))
    return tuple(f for f in dict.fromkeys((own, *entry.aliases, *shipped)) if f)
