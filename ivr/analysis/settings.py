"""[analysis]: the force's answer target, which the report and the export measure against.

Forces set their own 101 target (DOMAIN.md: 2 to 20 minutes; Essex 90 % within 5 min).
``answer_target_s``: an answered call counts toward the service level if a person
answered it within this many seconds; ``service_level_goal`` is the share aimed for,
drawn on the report's charts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import POSITIVE, ConfigError, Number, Section, option

SHARE = Number()


@dataclass(frozen=True)
class AnalysisSettings(Section):
    TABLE = "analysis"

    answer_target_s: float = option(300.0, POSITIVE)
    service_level_goal: float = option(0.9, SHARE)

    def validate(self) -> None:
        if self.service_level_goal > 1:
            raise ConfigError("[analysis] service_level_goal must be a share between 0 and 1")
