"""DayResult: what one scenario of the simulated day came to, in the measures a force reports.

Abandonment rate, average speed of answer and the share answered within five
minutes are over calls *offered* (deflected callers are counted apart, never as
lost); the announced wait at joining is compared with the actual wait of callers
answered on the line (EWT accuracy), next to the figure Asterisk's moving average
of hold time would have announced, for contrast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANSWER_WITHIN_S = 300.0  # "answered within 5 minutes" (Essex: 90 % target)


@dataclass(slots=True)
class DayResult:
    scenario: str
    calls: int = 0  # first calls + re-dials
    redials: int = 0
    deflected: int = 0
    refused: int = 0  # queue full
    abandoned: int = 0
    answered: int = 0  # on the line (a completed callback is counted apart)
    answered_within: int = 0
    wait_total_s: float = 0.0
    callback_wait_total_s: float = 0.0  # accepting the callback -> talking to a person
    callbacks_offered: int = 0
    callbacks_accepted: int = 0
    callbacks_completed: int = 0
    callbacks_failed: int = 0
    callback_attempts: int = 0
    promises_kept: int = 0
    unresolved: int = 0
    ewt_errors: list[float] = field(default_factory=list)
    ewt_in_range: int = 0
    asterisk_errors: list[float] = field(default_factory=list)
    abandoned_waits: list[float] = field(default_factory=list)

    @property
    def offered(self) -> int:
        """Calls that queued: deflected calls are not offered to an agent, nor counted lost."""
        return self.calls - self.deflected

    @property
    def abandonment_rate(self) -> float:
        return (self.abandoned + self.refused) / self.offered if self.offered else 0.0

    @property
    def asa_s(self) -> float:
        """Average speed of answer of callers answered on the line."""
        return self.wait_total_s / self.answered if self.answered else 0.0

    @property
    def callback_wait_s(self) -> float:
        done = self.callbacks_completed
        return self.callback_wait_total_s / done if done else 0.0

    @property
    def within_share(self) -> float:
        """Grade of service: answered within 5 minutes over calls offered."""
        return self.answered_within / self.offered if self.offered else 0.0

    @property
    def ewt_mae_s(self) -> float:
        return sum(self.ewt_errors) / len(self.ewt_errors) if self.ewt_errors else 0.0

    @property
    def asterisk_mae_s(self) -> float:
        errors = self.asterisk_errors
        return sum(errors) / len(errors) if errors else 0.0

    @property
    def ewt_range_share(self) -> float:
        return self.ewt_in_range / len(self.ewt_errors) if self.ewt_errors else 0.0
