"""SIP load through a real Asterisk 22 and ``ivr serve``: SIPp callers, ramped.

Starts Asterisk (tests/real/asterisk.py: the project's dialplans plus the test-only
tests/real/conf/*/ files) and ``ivr serve`` as its own process (ARI, database and scrape
token in the environment; the desks at the load agents' context, who answer after a
second, talk for a while and hang up). Then, step by step, SIPp places calls at a
setup rate with at most so many on the line (bench/sipp/*_caller.xml: a keypad caller
keys 1 as RFC 4733; a speech caller says "I want to report a crime" as u-law RTP), and
after each step prints: calls SIPp completed and failed, the app's calls and outcomes,
decision rows, channels left in Asterisk, app CPU per call and memory, the app's
event-loop lag (its /metrics), Asterisk's CPU, and for speech callers end of speech →
decision / action (p50 / p95 / max). It stops at the first step that fails (or
--keep-going), and says where it broke.

    .venv/bin/python bench/sip_load.py --kind keypad --steps 10x100 15x150 20x200 25x250
    .venv/bin/python bench/sip_load.py --kind speech --steps 2x20 4x40 6x60 --rounds 1.5
    .venv/bin/python bench/sip_load.py --kind keypad --steps 2x10 --rounds 1   # a quick look

A step ``RxL`` is R call setups a second with at most L calls on the line; each step
places ``--rounds`` x L calls, and its agents talk long enough (L / R seconds, at least
``--talk``) that the line really fills to L.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sipp.make_pcaps import Pcaps
from bench.sipp.report import Samples, Step, StepResult, loadavg, report, speech_holds
from bench.sipp.run import (
    CallerKind,
    SippLoad,
    SippTally,
    failure_reasons,
    prepare,
    sipp_binary,
    starved_ticks,
)
from bench.sipp.serve import (
    CLOCK_TICKS,
    ServeProcess,
    proc_cpu_seconds,
    proc_runqueue_wait_s,
    running_serve,
)
from bench.sipp.tally import calls_mark, open_calls, tally
from tests.real.asterisk import RealAsterisk, running_asterisk, test_files

SETTLE_S = 60.0  # after SIPp ends: the app's rows and Asterisk's channels must settle


def machine_busy_s() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle, iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def last_stats(stat_file: Path) -> dict[str, str]:
    if not stat_file.exists():
        return {}
    with stat_file.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    return rows[-1] if rows else {}


def seconds_of(hms: str) -> float:
    """SIPp's ``HH:MM:SS:uuuuuu`` (or ``HH:MM:SS``) as seconds."""
    parts = [float(p) for p in hms.split(":")]
    h, m, s = parts[:3]
    return h * 3600 + m * 60 + s + (parts[3] / 1_000_000 if len(parts) > 3 else 0.0)


def until_settled(asterisk: RealAsterisk, serve: ServeProcess, mark: int) -> int:
    """Until the app has closed the step's calls and Asterisk has no channel (or
    SETTLE_S): the channels left then."""
    deadline = time.monotonic() + SETTLE_S
    while True:
        channels = asterisk.active_channels()
        if (channels == 0 and open_calls(serve, mark) == 0) or time.monotonic() > deadline:
            return channels
        time.sleep(0.5)  # two processes to watch from outside: look again shortly


def run_step(
    asterisk: RealAsterisk,
    serve: ServeProcess,
    work: Path,
    pcaps: Pcaps,
    kind: CallerKind,
    step: Step,
    rounds: float,
    talk_min: float,
    index: int,
) -> StepResult:
    talk = max(talk_min, step.limit / step.rate)
    asterisk.rx(f"dialplan set global SIPLOAD_TALK_S {talk:g}")
    calls = max(1, round(step.limit * rounds))
    load = SippLoad(kind, calls=calls, rate=step.rate, limit=step.limit)
    name = f"step{index}_{kind.value}"
    command = load.command(sipp_binary(asterisk.folder.home), work, asterisk.folder.sip_port, name)
    mark = calls_mark(serve)
    lag0, cpu0, ast0 = serve.lag(), serve.cpu_seconds(), proc_cpu_seconds(asterisk.pid)
    busy0, waited0 = machine_busy_s(), proc_runqueue_wait_s(serve.pid)
    rss0 = serve.rss_mb()
    samples = Samples(peak_rss_mb=rss0)
    print(
        f"step {index}: {kind.value} {step}: {calls} calls, agents talk {talk:g} s"
        f" (load average {loadavg()})",
        flush=True,
    )
    t0 = time.monotonic()
    with (work / f"{name}.out").open("wb") as out:
        sipp = subprocess.Popen(
            command, cwd=work, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        shown = t0
        while sipp.poll() is None:
            time.sleep(1.0)  # sampling period
            stats = last_stats(work / f"{name}.csv")
            on_line = int(stats.get("CurrentCall", 0) or 0)
            samples.peak_on_line = max(samples.peak_on_line, on_line)
            samples.peak_rss_mb = max(samples.peak_rss_mb, serve.rss_mb())
            samples.lag_last_max_s = max(samples.lag_last_max_s, serve.lag_last_s())
            probe = ari_probe_s(asterisk)
            if probe is None:
                samples.ari_probe_refused += 1
            else:
                samples.ari_probe_max_s = max(samples.ari_probe_max_s, probe)
            with contextlib.suppress(OSError):
                samples.sipp_cpu_s = proc_cpu_seconds(sipp.pid)
            if time.monotonic() - shown >= 5:
                shown = time.monotonic()
                print(
                    f"  {shown - t0:5.0f} s: created {stats.get('TotalCallCreated', 0)},"
                    f" on the line {on_line}, ok {stats.get('SuccessfulCall(C)', 0)},"
                    f" failed {stats.get('FailedCall(C)', 0)}; app RSS {serve.rss_mb():.0f} MB,"
                    f" lag {serve.lag_last_s() * 1000:.0f} ms; load {loadavg()}",
                    flush=True,
                )
    wall = time.monotonic() - t0
    # All at SIPp's end, so that what is left of the machine is the other processes'.
    machine_s = machine_busy_s() - busy0
    app_cpu = serve.cpu_seconds() - cpu0
    asterisk_cpu = proc_cpu_seconds(asterisk.pid) - ast0
    loop_waited = proc_runqueue_wait_s(serve.pid) - waited0
    channels = until_settled(asterisk, serve, mark)
    stats = last_stats(work / f"{name}.csv")
    return StepResult(
        step=step,
        sipp=SippTally.read(work / f"{name}.csv"),
        sipp_rc=sipp.returncode,
        reasons=failure_reasons(work / f"{name}.csv"),
        sipp_late=starved_ticks(work / f"{name}_errors.log"),
        answer_ms=seconds_of(stats.get("ResponseTime1(C)", "0:0:0")) * 1000,
        call_s=seconds_of(stats.get("CallLength(C)", "0:0:0")),
        log=tally(serve, mark, kind.pause_ms / 1000 + pcaps.speech_end_s),
        channels_left=channels,
        app_cpu_s=app_cpu,
        asterisk_cpu_s=asterisk_cpu,
        wall_s=wall,
        machine_cpu_s=machine_s,
        loop_waited_s=loop_waited,
        rss_before_mb=rss0,
        samples=samples,
        lag=serve.lag().since(lag0),
    )


def ari_probe_s(asterisk: RealAsterisk) -> float | None:
    """One ARI request's round trip on a fresh connection (the app's own pool aside)."""
    user, password = asterisk.credentials
    request = urllib.request.Request(f"{asterisk.ari_url}/ari/asterisk/info")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except OSError:
        return None
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=[k.value for k in CallerKind], default="keypad")
    parser.add_argument("--steps", nargs="+", type=Step.parse, default=None)
    parser.add_argument("--rounds", type=float, default=2.0, help="calls per step = rounds x L")
    parser.add_argument("--talk", type=float, default=5.0, help="agents talk at least this (s)")
    parser.add_argument("--engine", default="combined", help="the speech engine (speech kind)")
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--work", type=Path, help="keep SIPp's and the app's files here")
    args = parser.parse_args()
    kind = CallerKind(args.kind)
    steps = args.steps or (
        [Step(5, 50), Step(10, 100), Step(15, 150), Step(20, 200)]
        if kind is CallerKind.KEYPAD
        else [Step(2, 20), Step(4, 40), Step(6, 60)]
    )
    engine = args.engine if kind is CallerKind.SPEECH else "none"
    busy0, t0 = machine_busy_s(), time.monotonic()
    time.sleep(5)  # what the machine does without this bench: other helpers' tests
    idle_busy = (machine_busy_s() - busy0) / (time.monotonic() - t0) * 100
    print(
        f"machine: {os.cpu_count()} cores, load average {loadavg()}; busy {idle_busy:.0f} %"
        " of a core before this bench started anything",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="sip_load_") as tmp:
        work = args.work or Path(tmp)
        pcaps = prepare(work)
        with (
            running_asterisk(work / "asterisk", test_files()) as asterisk,
            running_serve(asterisk, work / "serve", engine) as serve,
        ):
            # A deployed Asterisk runs as a daemon at verbose 0; the harness boots it at -vvv
            # for the tests' console logs, which would cost it a line per dialplan step.
            asterisk.rx("core set verbose 0")
            started = time.monotonic()
            serve.until_ready(speech=kind is CallerKind.SPEECH)
            print(
                f"Asterisk pid {asterisk.pid}, ivr serve pid {serve.pid} (engine {engine})"
                f" ready in {time.monotonic() - started:.1f} s",
                flush=True,
            )
            broke: list[str] = []
            for index, step in enumerate(steps, 1):
                result = run_step(
                    asterisk, serve, work, pcaps, kind, step, args.rounds, args.talk, index
                )
                report(kind, result)
                why = ""
                if not result.ok:
                    why = "failed calls, app errors or channels left"
                elif kind is CallerKind.SPEECH and not speech_holds(result):
                    why = "end of speech → action p95 ≥ 1 s, or speech not heard on every call"
                if why:
                    broke.append(f"step {index} ({step}): {why}")
                    print(f"BROKE at step {index} ({step}): {why}", flush=True)
                    if not args.keep_going:
                        break
            if not broke:
                print("no step broke", flush=True)
            if serve.process.poll() is not None:
                print(f"ivr serve exited ({serve.process.returncode}): see its log", flush=True)
            log_tail = (work / "serve" / "serve.log").read_text(errors="replace")[-1500:]
            if log_tail.strip():
                print("ivr serve log (tail):\n" + log_tail)
    return 1 if broke else 0


if __name__ == "__main__":
    sys.exit(main())
