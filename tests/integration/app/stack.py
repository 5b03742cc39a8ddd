"""The integration tests' fixture over the shipped harness (``ivr.embedded``).

Only what the tests fix differently from the demo: simulated time 20x, a keypad-only
app whose callers have no history and whose texts go nowhere unless a test says so,
agents who talk from answering, and a weekday morning on the app's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.clock import Clock
from ivr.embedded import (
    Embedded,
    RunningSimulator,
    prompt_seconds,
    running_simulator,
    shifted_clock,
)
from ivr.embedded import (
    running_app as embedded_app,
)
from ivr.media.wav import write_wav_8k
from ivr.simulator import AgentProfile
from ivr.speech.settings import SpeechEngine

TIME_SCALE = 0.05  # simulated seconds x 0.05 = wall seconds
SPEED = 1.0 / TIME_SCALE
TUESDAY_11AM = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
TEST_AGENT = AgentProfile(answer_after=2.0, talk_for=4.0)
# The harness turns on the demo's extras; the tests ask for each where they test it.
# {"section.field": value}, as Settings.overridden takes them.
TEST_SETTINGS: dict[str, Any] = {
    "flow.first_digit_timeout": 0.4,
    "speech.engine": SpeechEngine.NONE,  # keypad unless a test brings its own recogniser
    "callers.key": "",
    "sms.url": "",
    "http.api_token": "",
}

Stack = Embedded


def sim_seconds(prompt_id: str) -> float:
    return prompt_seconds(prompt_id)


# Sim seconds (x TIME_SCALE: 15 s, asked twice) a prompt is made to last, for a test's
# action (a hang-up, a kill) to land in it on a loaded box whatever the box's speed.
LASTING_PROMPT = 300.0


def lasting_prompts(root: Path, prompt_ids: list[str]) -> list[Path]:
    """A sounds root where these prompts play for LASTING_PROMPT (silence), or no root."""
    (root / "en" / "ivr101").mkdir(parents=True, exist_ok=True)
    for prompt_id in prompt_ids:
        write_wav_8k(root / "en" / "ivr101" / f"{prompt_id}.wav", [0] * int(LASTING_PROMPT * 8000))
    return [root] if prompt_ids else []


def office_hours_clock(start: datetime = TUESDAY_11AM) -> Clock:
    """Real elapsed time from a fixed weekday morning, so schedules do not depend on the day."""
    return shifted_clock(start)


@asynccontextmanager
async def running_sim(
    agents: Mapping[str, AgentProfile] | None = None,
    sound_roots: Sequence[Path] = (),
) -> AsyncIterator[RunningSimulator]:
    """``sound_roots``: searched before the prompts' own sounds (a prompt made to last)."""
    async with running_simulator(
        speed=SPEED, agent=TEST_AGENT, agents=agents, sound_roots=sound_roots
    ) as running:
        yield running


@asynccontextmanager
async def running_app(
    running: RunningSimulator,
    tmp_path: Path,
    settings: Mapping[str, Any] | None = None,
    start: datetime = TUESDAY_11AM,
) -> AsyncIterator[Stack]:
    """The app against a running simulator; leaving the block is the app's clean shutdown.
    ``start``: the app's clock then (an app started again later, after a restart)."""
    async with embedded_app(
        running,
        speed=SPEED,
        db_path=str(tmp_path / "calls.db"),
        clock=office_hours_clock(start),
        settings={**TEST_SETTINGS, **(settings or {})},
    ) as stack:
        yield stack


@asynccontextmanager
async def running_stack(
    tmp_path: Path,
    *,
    agents: Mapping[str, AgentProfile] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AsyncIterator[Stack]:
    async with running_sim(agents) as sim, running_app(sim, tmp_path, settings) as stack:
        yield stack
