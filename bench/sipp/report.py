"""One load step's figures (bench/sip_load.py): what was measured, and the lines it
prints; whether the step held (no failed call, app error or channel left; for speech
callers end of speech → action p95 under a second on every call)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from bench.sipp.run import CallerKind, SippTally
from bench.sipp.serve import Lag
from bench.sipp.tally import CallLogTally

SPEECH_GOAL_P95_S = 1.0  # issue 18: end of speech → action


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class Step:
    rate: float
    limit: int

    @classmethod
    def parse(cls, text: str) -> Step:
        rate, _, limit = text.partition("x")
        return cls(float(rate), int(limit))

    def __str__(self) -> str:
        return f"{self.rate:g}/s x {self.limit}"


@dataclass
class Samples:
    """What was sampled once a second while SIPp ran."""

    peak_on_line: int = 0
    peak_rss_mb: float = 0.0
    lag_last_max_s: float = 0.0
    ari_probe_max_s: float = 0.0  # GET /ari/asterisk/info from outside: is Asterisk slow?
    ari_probe_refused: int = 0  # probes Asterisk dropped or did not answer in 10 s
    sipp_cpu_s: float = 0.0  # SIPp's own CPU (its RTP threads too), last seen


@dataclass
class StepResult:
    step: Step
    sipp: SippTally
    sipp_rc: int
    reasons: dict[str, int]
    sipp_late: int  # SIPp's own loop 0.5 s late (it was short of CPU)
    answer_ms: float  # SIPp's mean INVITE → 200 OK
    call_s: float  # SIPp's mean call length
    log: CallLogTally
    channels_left: int
    app_cpu_s: float
    asterisk_cpu_s: float
    wall_s: float
    machine_cpu_s: float  # every process's, while SIPp ran
    loop_waited_s: float  # the app's loop thread runnable but without a CPU
    rss_before_mb: float
    samples: Samples
    lag: Lag

    @property
    def ok(self) -> bool:
        return (
            self.sipp.failed == 0
            and self.sipp.successful == self.sipp.created
            and self.channels_left == 0
            and self.log.open_calls == 0
            and self.log.not_transferred == 0
            and not self.log.errors
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(kind: CallerKind, r: StepResult) -> None:
    s, log = r.sipp, r.log
    per_call_ms = r.app_cpu_s / max(1, s.created) * 1000
    per_line_mb = (r.samples.peak_rss_mb - r.rss_before_mb) / max(1, r.samples.peak_on_line)
    print(
        f"  SIPp: {s.successful}/{s.created} completed, {s.failed} failed (exit {r.sipp_rc})"
        + (f" {r.reasons}" if r.reasons else "")
    )
    print(
        f"  peak on the line {r.samples.peak_on_line}; setups at {r.step.rate:g}/s;"
        f" INVITE→200 mean {r.answer_ms:.0f} ms; call length mean {r.call_s:.1f} s;"
        f" wall {r.wall_s:.0f} s"
    )
    print(
        f"  app: {log.calls} calls logged, {log.open_calls} still open;"
        f" outcomes {dict(log.outcomes)}; {log.decisions} decision rows;"
        f" key heard on {log.keyed}, speech on {log.heard};"
        f" app errors {dict(log.errors) or 0}"
    )
    print(f"  channels left in Asterisk: {r.channels_left}; machine load average {loadavg()}")
    print(
        f"  app CPU {r.app_cpu_s:.1f} s ({per_call_ms:.0f} ms per call,"
        f" {r.app_cpu_s / r.wall_s * 100:.0f} % of a core); RSS {r.rss_before_mb:.0f} →"
        f" peak {r.samples.peak_rss_mb:.0f} MB ({per_line_mb * 1024:.0f} kB per call on the line)"
    )
    others = r.machine_cpu_s - r.app_cpu_s - r.asterisk_cpu_s - r.samples.sipp_cpu_s
    print(
        f"  machine busy {r.machine_cpu_s / r.wall_s * 100:.0f} % of a core (2 cores = 200 %):"
        f" SIPp {r.samples.sipp_cpu_s / r.wall_s * 100:.0f} % (late {r.sipp_late} times),"
        f" everything else (other helpers' tests, loopback networking)"
        f" {others / r.wall_s * 100:.0f} %"
    )
    print(
        f"  Asterisk CPU {r.asterisk_cpu_s:.1f} s"
        f" ({r.asterisk_cpu_s / r.wall_s * 100:.0f} % of a core); slowest ARI probe"
        f" {r.samples.ari_probe_max_s * 1000:.0f} ms, {r.samples.ari_probe_refused} refused"
    )
    print(
        f"  event-loop lag (app's histogram, {r.lag.count:.0f} samples): p50 ≤"
        f" {r.lag.quantile(0.5) * 1000:g} ms, p99 ≤ {r.lag.quantile(0.99) * 1000:g} ms;"
        f" max sampled {r.samples.lag_last_max_s * 1000:.0f} ms; the loop's thread waited"
        f" {r.loop_waited_s:.1f} s for a CPU ({r.loop_waited_s / r.wall_s * 100:.1f} % of the"
        " step)"
    )
    if kind is CallerKind.SPEECH and log.speech:
        for label, values in (
            ("words", [t.to_words for t in log.speech]),
            ("decision", [t.to_decision for t in log.speech]),
            ("action", [t.to_action for t in log.speech]),
            ("action, from the caller's own end (est.)", [t.caller_to_action for t in log.speech]),
        ):
            print(
                f"  end of speech → {label}: p50 {statistics.median(values) * 1000:.0f}"
                f" / p95 {pct(values, 0.95) * 1000:.0f} / max {max(values) * 1000:.0f} ms"
                f" ({len(values)} utterances)"
            )


def speech_holds(r: StepResult) -> bool:
    times = [t.to_action for t in r.log.speech]
    return bool(times) and len(times) == r.sipp.created and pct(times, 0.95) < SPEECH_GOAL_P95_S
