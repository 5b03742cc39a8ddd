"""[rulesets]: the browser's rules draft: when a publish warns, how far back a replay
looks by default, and how big one edited file may be.

A publish is refused (unless the admin accepts the moves) when the latest replay of the
draft sent more than ``publish_warn_share`` of the logged decisions somewhere else: a
change meant to fix one phrase that moves a tenth of all calls is more likely a mistake.
``max_file_mb`` bounds one file sent from the browser (the largest shipped limit, a
directory export, is 32 MB: ivr.routing.limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import ConfigError, Number, Section, option

MB = 1024 * 1024


@dataclass(frozen=True)
class RulesetSettings(Section):
    TABLE = "rulesets"

    publish_warn_share: float = option(0.05, Number(low=0, inclusive=True))
    replay_days: float = option(7.0, Number(unit="days"))
    max_file_mb: float = option(32.0, Number(unit="MB"))

    def validate(self) -> None:
        if self.publish_warn_share > 1:
            raise ConfigError("[rulesets] publish_warn_share must be a share between 0 and 1")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)
