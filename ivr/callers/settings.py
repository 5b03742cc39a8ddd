"""[callers]: what makes a caller "repeat" or "nuisance", and the pseudonym key.

The HMAC key comes from IVR_CALLER_KEY only (a secret, kept out of config files);
"" = a random key per process (logged warning), so history does not survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.callers.model import CallerPolicy
from ivr.sections import AT_LEAST_ONE, POSITIVE, TEXT, Section, option


@dataclass(frozen=True)
class CallerSettings(Section):
    TABLE = "callers"

    key: str = option("", TEXT, env="IVR_CALLER_KEY", file=False, secret=True)
    repeat_calls: int = option(3, AT_LEAST_ONE)  # "repeat": this many calls (this one too) ...
    repeat_days: float = option(7.0, POSITIVE)  # ... within this many days
    nuisance_calls_per_day: int = option(10, AT_LEAST_ONE)  # "nuisance": more in 24 hours
    redial_link_hours: float = option(2.0, POSITIVE)  # a re-dial this soon: linked to the call

    @property
    def policy(self) -> CallerPolicy:
        return CallerPolicy(
            repeat_calls=self.repeat_calls,
            repeat_days=self.repeat_days,
            nuisance_calls_per_day=self.nuisance_calls_per_day,
            redial_link_hours=self.redial_link_hours,
        )
