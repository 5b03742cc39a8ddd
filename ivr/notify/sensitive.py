"""Sensitive topics: calls that must not bring a text from the police to the caller's phone.

The phone may be read by the person the caller reported (DOMAIN.md: surveys
are never sent for domestic abuse and similar categories). A call's
categories are its intents, destination and caller flags plus the topics
below heard in any recognition alternative. Recall beats precision: a text
not sent costs a data point, a text sent to a victim's phone can cost far
more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Surveys are never sent for calls in these categories ([sms] survey_excluded), and no
# unasked-for text goes to them: the phone may be read by the person the caller reported.
DEFAULT_SURVEY_EXCLUDED = ("domestic_abuse", "sexual_offence", "stalking_harassment", "child_abuse")

# A call known to be sensitive without saying why (restored after a restart from a note
# on the channel, which must not name the topic): always excluded, whatever the settings.
SENSITIVE = "sensitive"

# Words that put a call in a default-excluded category, whatever intent it was routed by.
SENSITIVE_CUES: dict[str, tuple[str, ...]] = {
    "domestic_abuse": (
        "domestic",
        "partner",
        "husband",
        "wife",
        "boyfriend",
        "girlfriend",
        "my ex",
        "ex partner",
        "ex husband",
        "ex wife",
        "abusive",
        "controlling",
        "coercive",
    ),
    "sexual_offence": (
        "rape",
        "raped",
        "sexual",
        "sexually",
        "indecent",
        "indecently",
        "groped",
        "molested",
        "flashed",
    ),
    "stalking_harassment": (
        "stalk",
        "stalked",
        "stalker",
        "stalking",
        "harass",
        "harassed",
        "harassing",
        "harassment",
        "following me",
        "keeps following",
    ),
    "child_abuse": (
        "child abuse",
        "abused",
        "abusing",
        "grooming",
        "groomed",
        "neglect",
        "neglected",
    ),
}

_WORD = re.compile(r"[a-z]+")


def sensitive_categories(texts: Iterable[str]) -> set[str]:
    """The SENSITIVE_CUES categories any of ``texts`` mentions (whole words, any case)."""
    found: set[str] = set()
    for text in texts:
        padded = f" {' '.join(_WORD.findall(text.lower()))} "
        for category, cues in SENSITIVE_CUES.items():
            if any(f" {cue} " in padded for cue in cues):
                found.add(category)
    return found


def normalise_category(name: str) -> str:
    """ "Domestic abuse", "domestic-abuse" and "DOMESTIC_ABUSE" are one category."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


class Sensitivity:
    """The force's excluded categories (``[sms] survey_excluded``) applied to one call."""

    def __init__(self, excluded: Iterable[str]) -> None:
        self.excluded = frozenset(normalise_category(c) for c in excluded)

    def blocked(self, categories: Iterable[str], heard: Iterable[str] = ()) -> list[str]:
        """The call's excluded categories, sorted (empty: the caller may be texted)."""
        found = {normalise_category(c) for c in categories} | sensitive_categories(heard)
        return sorted(found & (self.excluded | {SENSITIVE}))
