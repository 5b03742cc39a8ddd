"""Whom a courtesy title says: "Mr Ray" is a man, so not Deborah Ray (issue 15).

A caller who says "Mr Thompson" when the directory has DC Amy Thompson and Keith Thomson
means someone the title fits; the surname alone would put them through to Amy. A title
contradicted by the person's first name (data/given_names.yaml: names almost always given
to one sex) costs as a wrong rank does; a name the list does not hold says nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import Enum
from importlib import resources

import yaml

from ivr.text import normalise

__all__ = ["COURTESY", "Sex", "name_sex", "title_sex"]


class Sex(Enum):
    FEMALE = "female"
    MALE = "male"


# Titles in English and in callers' own languages ("Frau Pringel", "Pani Nowak"); the
# directory's query reads a word after any of them as a name (ivr.directory.query.TITLES).
COURTESY: Mapping[str, Sex] = {
    **dict.fromkeys(("mr", "mister", "herr", "monsieur", "senor", "signor", "meneer"), Sex.MALE),
    **dict.fromkeys(
        (
            *("mrs", "ms", "miss", "frau", "madame", "mademoiselle", "senora", "signora"),
            *("pani", "mevrouw"),
        ),
        Sex.FEMALE,
    ),
}


def title_sex(title: str) -> Sex | None:
    """The sex a title (normalised) says, or None ("dr", a rank)."""
    return COURTESY.get(title)


@functools.cache
def _given() -> Mapping[str, Sex]:
    """First name (normalised) -> its sex, from data/given_names.yaml."""
    text = resources.files("ivr.directory").joinpath("data/given_names.yaml").read_text()
    loaded: Mapping[str, list[str]] = yaml.safe_load(text)
    return {normalise(str(name)): Sex(sex) for sex, names in loaded.items() for name in names}


def name_sex(first_name: str) -> Sex | None:
    """The sex a first name says, or None when it says none surely."""
    words = normalise(first_name).split()
    return _given().get(words[0]) if words else None
