"""Where a trace replay sends its requests: the simulator, or a real Asterisk.

The replayer (`replay.Replay`) is the same client code for both; a target only says
where ARI is, with which credentials, how fast its clock runs, and what the traces'
speaking caller (`ivr-in,203`, tt-weasels) sounds like there, for the RTP check.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ivr.simulator import Simulator, SimulatorConfig
from tests.real.asterisk import RealAsterisk

#: The simulator's own credentials in the replay (proves its config is honoured).
SIM_USERNAME = "contract-user"
SIM_PASSWORD = "contract-secret"


class ReplayTarget(Protocol):
    """An ARI server a replay runs against."""

    @property
    def label(self) -> str: ...
    @property
    def time_scale(self) -> float: ...
    @property
    def username(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def timed(self) -> bool:
        """Whether its delays are under test (False: they are the reference)."""
        ...

    async def start(self) -> str:
        """The base URL (``http://host:port``), once the server answers."""
        ...

    async def stop(self) -> None: ...

    def caller_speech(self) -> list[int] | None:
        """The samples of the tt-weasels the speaking caller plays, if known."""
        ...


@dataclass
class SimulatorTarget:
    """The simulator in-process on a free port; its delays scaled by ``time_scale``."""

    time_scale: float
    username: str = SIM_USERNAME
    password: str = SIM_PASSWORD
    label: str = "simulator"
    timed: bool = True
    _sim: Simulator | None = field(default=None, init=False, repr=False)

    async def start(self) -> str:
        self._sim = Simulator(
            SimulatorConfig(
                username=self.username, password=self.password, time_scale=self.time_scale
            )
        )
        port = await self._sim.start("127.0.0.1", 0)
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._sim is not None:
            await self._sim.stop()
            self._sim = None

    def caller_speech(self) -> list[int] | None:
        from ivr.simulator.sounds import SoundLibrary

        samples = SoundLibrary([]).samples("tt-weasels")
        return list(samples) if samples is not None else None


@dataclass
class AsteriskTarget:
    """A running real Asterisk (tests/real): real time, its ARI user, its own sounds."""

    url: str
    username: str
    password: str
    sounds: Path  # the folder `sound:` URIs resolve in (…/sounds/en)
    label: str = "asterisk"
    time_scale: float = 1.0
    # Real delays vary run to run (Answer() waits up to 500 ms for a first voice frame,
    # so the agent's next dialplan step moved by 0.4 s): the trace's timings are one
    # sample of the reference, not a promise the real one keeps.
    timed: bool = False

    @classmethod
    def of(cls, asterisk: RealAsterisk) -> AsteriskTarget:
        user, password = asterisk.credentials
        return cls(asterisk.ari_url, user, password, asterisk.folder.data / "sounds" / "en")

    async def start(self) -> str:
        return self.url

    async def stop(self) -> None:
        return None

    def caller_speech(self) -> list[int] | None:
        return wav_samples(self.sounds / "tt-weasels.wav")


def wav_samples(path: Path) -> list[int] | None:
    """16-bit mono samples of a WAV (Asterisk's 8 kHz prompts), or None if absent."""
    if not path.is_file():
        return None
    with wave.open(str(path.resolve()), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            return None
        raw = wav.readframes(wav.getnframes())
    return [int.from_bytes(raw[i : i + 2], "little", signed=True) for i in range(0, len(raw), 2)]
