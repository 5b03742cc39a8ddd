"""[suggest]: how much evidence a misroute suggestion needs before an admin sees it.

Too few calls and every odd call becomes a suggestion; too long a period and rules
already changed are suggested again. ``min_share`` and ``min_lift`` are the alias test:
of the calls that said a phrase, at least ``min_share`` were moved to the entry, and
that share is at least ``min_lift`` times the share of all calls moved there.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import AT_LEAST_ONE, ConfigError, Number, Section, option

DAYS = Number(unit="days")
SHARE = Number()
LIFT = Number(low=1, inclusive=True)
RATIO = Number(low=0, inclusive=True)


@dataclass(frozen=True)
class SuggestSettings(Section):
    TABLE = "suggest"

    min_calls: int = option(3, AT_LEAST_ONE)
    days: float = option(28.0, DAYS)
    min_share: float = option(0.5, SHARE)
    min_lift: float = option(2.0, LIFT)
    # An utterance at least this close (rapidfuzz ratio, 0-100) to an intent's examples
    # is already taught: no example suggestion.
    example_ratio: float = option(75.0, RATIO)

    def validate(self) -> None:
        if self.min_share > 1:
            raise ConfigError("[suggest] min_share must be a share between 0 and 1")
        if self.example_ratio > 100:
            raise ConfigError("[suggest] example_ratio must be between 0 and 100")
