"""SIPp callers against a real Asterisk: the scenarios and pcaps in a work folder, the
command line, and what SIPp's statistics file says at the end.

SIPp looks for a scenario's pcaps next to the scenario, so each run copies the XML
into its own folder beside freshly made pcaps (bench/sipp/make_pcaps.py).
"""

from __future__ import annotations

import csv
import shutil
import socket
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bench.sipp.make_pcaps import Pcaps, make_pcaps

HERE = Path(__file__).resolve().parent
SERVICE = "101"  # the number dialled: [from-pstn] 101 → the app
# The welcome (prompts/sounds/en/ivr101/welcome.wav) is 12.5 s; the app listens for
# speech from the menu question on, and takes keys from the welcome on.
KEY_AFTER_MS = 1500
SPEAK_AFTER_MS = 14000


class CallerKind(Enum):
    KEYPAD = "keypad"
    SPEECH = "speech"

    @property
    def scenario(self) -> str:
        return f"{self.value}_caller.xml"

    @property
    def pause_ms(self) -> int:
        return KEY_AFTER_MS if self is CallerKind.KEYPAD else SPEAK_AFTER_MS


def sipp_binary(asterisk_home: Path) -> Path:
    """The SIPp the shared build script installed beside Asterisk."""
    return asterisk_home / "bin" / "sipp"


def prepare(work: Path) -> Pcaps:
    """The scenarios and their pcaps in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    for kind in CallerKind:
        shutil.copy(HERE / kind.scenario, work / kind.scenario)
    return make_pcaps(work)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class SippLoad:
    """One SIPp run: ``calls`` in all, ``rate`` new calls a second, at most ``limit``
    on the line at once; SIPp gives up after ``timeout_s`` (a guard, never the plan)."""

    kind: CallerKind
    calls: int
    rate: float
    limit: int
    timeout_s: int = 600

    def command(self, sipp: Path, work: Path, sip_port: int, name: str) -> list[str]:
        """SIPp's command line; statistics to ``<name>.csv`` every second, unexpected
        messages to ``<name>_errors.log`` (both in ``work``)."""
        return [
            str(sipp),
            f"127.0.0.1:{sip_port}",
            "-sf",
            str(work / self.kind.scenario),
            "-s",
            SERVICE,
            "-i",
            "127.0.0.1",
            "-p",
            str(free_udp_port()),
            "-mi",
            "127.0.0.1",
            "-mp",
            str(free_udp_port()),
            "-d",
            str(self.kind.pause_ms),
            "-r",
            f"{self.rate:g}",
            "-l",
            str(self.limit),
            "-m",
            str(self.calls),
            "-timeout",
            f"{self.timeout_s}s",
            "-nostdin",
            # Asterisk's connected-line UPDATE can come while the caller pauses (under load
            # it came 1.5 s late): answered 200 OK wherever it comes.
            "-aa",
            # A starved SIPp (a saturated machine) notes each late tick in the error file
            # and would abort after 120: the bench reports them instead.
            "-watchdog_minor_maxtriggers",
            "100000",
            "-trace_stat",
            "-stf",
            str(work / f"{name}.csv"),
            "-fd",
            "1",
            "-trace_err",
            "-error_file",
            str(work / f"{name}_errors.log"),
        ]


@dataclass(frozen=True)
class SippTally:
    """The last line of SIPp's statistics file: its cumulative counters."""

    created: int
    successful: int
    failed: int
    on_line: int  # calls still open when SIPp wrote the line

    @classmethod
    def read(cls, stat_file: Path) -> SippTally:
        with stat_file.open(newline="") as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        if not rows:
            raise RuntimeError(f"{stat_file}: SIPp wrote no statistics")
        last = rows[-1]
        return cls(
            created=int(last["TotalCallCreated"]),
            successful=int(last["SuccessfulCall(C)"]),
            failed=int(last["FailedCall(C)"]),
            on_line=int(last["CurrentCall"]),
        )


def starved_ticks(error_file: Path) -> int:
    """How often SIPp's own loop ran 0.5 s late (its minor watchdog): SIPp itself short
    of CPU, so its timing (and the load it offered) slipped."""
    if not error_file.exists():
        return 0
    return error_file.read_text(errors="replace").count("watchdog timer")


def failure_reasons(stat_file: Path) -> dict[str, int]:
    """SIPp's failure counters (cumulative) that are not zero: why calls failed."""
    with stat_file.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    if not rows:
        return {}
    last = rows[-1]
    return {
        key.removesuffix("(C)"): int(value)
        for key, value in last.items()
        if key.startswith("Failed")
        and key.endswith("(C)")
        and key != "FailedCall(C)"
        and value
        and int(value)
    }
