"""The figures of bench/failover.py: one run's gaps, their spread over runs, log times.

Pure: no Asterisk, no processes. The runner measures; this reads the app's log lines and
prints what the runs add up to.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# ivr.cli's LOG_FORMAT starts with logging's default asctime: local time, milliseconds.
_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) ")
# What differs call to call in a log message: our channel, leg, bridge and playback ids,
# numbers. Replaced so the same message from twenty calls counts as one kind.
_IDS = re.compile(r"\b(?:caller|leg|br|pb|play|snoop|em)-[\w;.\-]+")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def log_epoch(line: str) -> float | None:
    """The wall-clock time (epoch seconds) an `ivr serve` log line was written, or None
    for a line that does not start with one (a traceback's body)."""
    found = _LOG_TIME.match(line)
    if found is None:
        return None
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()


@dataclass(frozen=True)
class LogRecord:
    """One log record: its timed first line and, for a traceback, the exception line."""

    at: float
    first: str
    last: str = ""

    def __str__(self) -> str:
        return f"{self.first} | {self.last}" if self.last else self.first


def log_records(lines: Iterable[str]) -> list[LogRecord]:
    """The records of a log: a line without a time (a traceback's) belongs to the record
    before it; what it ends with (the exception) is kept."""
    records: list[LogRecord] = []
    for line in lines:
        at = log_epoch(line)
        if at is not None:
            records.append(LogRecord(at, line))
        elif records and line.strip():
            records[-1] = LogRecord(records[-1].at, records[-1].first, line.strip())
    return records


def message_kind(line: str) -> str:
    """A log line without its time, ids and numbers: what kind of thing it says."""
    found = _LOG_TIME.match(line)
    text = line[found.end() :] if found else line
    return _NUMBERS.sub("#", _IDS.sub("<id>", text)).strip()


def nearest_rank(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile by nearest rank: always a value some run actually had."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass(frozen=True)
class Spread:
    """p50 / p95 / max of one figure over the runs that had it."""

    p50: float
    p95: float
    max: float
    runs: int

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Spread | None:
        had = [v for v in values if v is not None]
        if not had:
            return None
        return cls(nearest_rank(had, 0.5), nearest_rank(had, 0.95), max(had), len(had))

    def __str__(self) -> str:
        return f"{self.p50:.2f} / {self.p95:.2f} / {self.max:.2f} s"


@dataclass
class RunFigures:
    """One run: seconds from the kill (None: never happened) and what went wrong."""

    run: int
    t_lease: float | None = None  # b logs "active:"
    t_connect: float | None = None  # b's "ari websocket connected"
    t_adopted: float | None = None  # b's last "adopting call" of the calls up
    t_heard: float | None = None  # the probe's agent rung (test process's clock)
    key_to_ring: float | None = None  # before the kill: a key to its agent rung (median)
    presses: int = 0  # the probe's presses of 1 until its agent rang
    calls: int = 0
    lost: int = 0  # callers whose channel ended before the bench hung up
    not_adopted: int = 0
    agents_dropped: int = 0  # talking callers' agents gone before the bench hung up
    probe_bridged: bool = False  # the agent rung after the kill was the probe's
    leftovers: str = ""  # what Asterisk still held after the cleanup ("" = nothing)
    failed: str = ""  # why the run could not finish ("" = it did)
    after_kill: list[str] = field(default_factory=list)  # b's warnings/errors since the kill
    asterisk_after_kill: list[str] = field(default_factory=list)  # its WARNING/ERROR lines

    @property
    def t_added(self) -> float | None:
        """What the failover added to the probe's wait: t_heard less a key's ring without
        one (the transfer prompt between the key and the ring plays in both)."""
        if self.t_heard is None or self.key_to_ring is None:
            return None
        return self.t_heard - self.key_to_ring

    def line(self) -> str:
        def s(value: float | None) -> str:
            return "   -  " if value is None else f"{value:6.2f}"

        tail = f"  FAILED: {self.failed}" if self.failed else ""
        return (
            f"run {self.run:2d}: lease {s(self.t_lease)}  connect {s(self.t_connect)}"
            f"  adopted {s(self.t_adopted)}  heard {s(self.t_heard)} s"
            f" ({self.presses} presses; key→ring without failover {s(self.key_to_ring)} s,"
            f" so added {s(self.t_added)} s)"
            f"  lost {self.lost}/{self.calls}  not adopted {self.not_adopted}"
            f"  agents dropped {self.agents_dropped}"
            f"  probe's own agent {'yes' if self.probe_bridged else 'NO'}"
            f"  b warnings/errors {len(self.after_kill)}"
            f"  Asterisk warnings/errors {len(self.asterisk_after_kill)}"
            + (f"  LEFT: {self.leftovers}" if self.leftovers else "")
            + tail
        )


FIGURES = (
    ("t_lease (kill → b 'active:')", "t_lease"),
    ("t_connect (kill → b's ARI WebSocket)", "t_connect"),
    ("t_adopted (kill → last call adopted)", "t_adopted"),
    ("t_heard (kill → the probe's agent rung)", "t_heard"),
    ("key → agent rung, no failover", "key_to_ring"),
    ("t_heard − that (what the failover added)", "t_added"),
)


def summary(runs: Sequence[RunFigures]) -> list[str]:
    """The lines printed after the runs: each figure's spread, the losses, the log."""
    lines = ["figure p50 / p95 / max (nearest rank, over the runs that had it):"]
    for label, name in FIGURES:
        spread = Spread.of(getattr(r, name) for r in runs)
        lines.append(
            f"  {label:42s} {spread or '-'}{'' if spread is None else f' ({spread.runs} runs)'}"
        )
    lines.append(
        f"calls lost {sum(r.lost for r in runs)} of {sum(r.calls for r in runs)};"
        f" not adopted {sum(r.not_adopted for r in runs)};"
        f" agents dropped {sum(r.agents_dropped for r in runs)};"
        f" probe rang its own agent in {sum(r.probe_bridged for r in runs)} of {len(runs)} runs;"
        f" runs failed {sum(bool(r.failed) for r in runs)};"
        f" runs leaving channels {sum(bool(r.leftovers) for r in runs)}"
    )
    for who, kinds in (
        ("b after the kill", Counter(message_kind(m) for r in runs for m in r.after_kill)),
        ("Asterisk after the kill", Counter(m for r in runs for m in r.asterisk_after_kill)),
    ):
        lines.append(f"{who}: {sum(kinds.values())} warning/error lines")
        lines.extend(f"  {count:4d} x {kind[:200]}" for kind, count in kinds.most_common(12))
    return lines
