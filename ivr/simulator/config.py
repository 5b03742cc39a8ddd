"""Configuration of the ARI simulator: who answers, how fast, where sounds live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

DEFAULT_APP_DIALPLAN: Mapping[str, str] = {"101": "ivr101", "01632960101": "ivr101"}


class TalkFrom(StrEnum):
    """When an agent's ``talk_for`` starts."""

    ANSWER = "answer"  # at the answer, bridged or not: someone who hangs up on a greeting
    # When the agent first shares a bridge: a conversation. However little simulated time
    # there is between answer and hang-up (time_scale), the app has bridged them first.
    BRIDGED = "bridged"


@dataclass(frozen=True)
class AgentProfile:
    """How a dialled agent endpoint behaves (seconds are multiplied by time_scale)."""

    answer_after: float = 2.0
    talk_for: float | None = None
    reject: bool = False
    talk_from: TalkFrom = TalkFrom.ANSWER


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything the simulator needs; the defaults mirror the recorded Asterisk box."""

    username: str = "asterisk"
    password: str = "asterisk"
    app_dialplan: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_APP_DIALPLAN))
    time_scale: float = 1.0
    sound_roots: Sequence[Path] = ()
    agents: Mapping[str, AgentProfile] = field(default_factory=dict)
    default_agent: AgentProfile = field(default_factory=AgentProfile)
    rtp_host: str = "127.0.0.1"
    asterisk_id: str = "02:fc:00:00:00:01"
    version: str = "22.10.1"
