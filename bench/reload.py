"""A rules reload under load: does the event loop keep serving calls while it builds?

.venv/bin/python bench/reload.py [--rows 100000] [--format yaml|csv] [--via process|thread]

Copies the shipped routing_rules/ to a temporary folder, starts a
RoutingService on it (the live rules), then writes a ``--rows`` directory
(YAML as ``ivr directory import`` writes it, or CSV) and publishes it with
``RoutingService.publish()`` while two tasks run on the loop: a 5 ms ticker
that records how late it wakes (the loop's lag) and a "call" that asks the
live engine for a decision every 20 ms. Then a 10 MB rules.yaml is published
(refused by its size, unread). Prints, per reload: wall time, loop lag p50 /
p99 / max, decisions served meanwhile, and the process's peak RSS during the
reload (``--via process``: the builder process's peak too).

``--via process`` builds in a spawned process (``ProcessBuilder``, what a running
app uses) and sends the bundle back pickled; ``--via thread`` on a worker thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's ivr

from ivr.directory import Directory
from ivr.directory.sample import sample_directory
from ivr.routing.builders import ProcessBuilder, ThreadBuilder
from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.limits import MB
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

TICK_S = 0.005
CALL_EVERY_S = 0.02
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@dataclass(frozen=True)
class ReloadFigures:
    name: str
    wall_s: float
    lags_ms: list[float]
    decisions: int
    errors: list[str]
    peak_rss_mb: float
    child_peak_rss_mb: float

    def lines(self) -> list[str]:
        lags = sorted(self.lags_ms) or [0.0]
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        outcome = f"refused: {self.errors[0]}" if self.errors else "swapped in"
        child = (
            f", builder process {self.child_peak_rss_mb:.0f} MB" if self.child_peak_rss_mb else ""
        )
        return [
            f"{self.name}: {outcome}",
            f"  reload wall time     {self.wall_s:.2f} s",
            f"  loop lag p50/p99/max {statistics.median(lags):.1f} / {p99:.1f} / {lags[-1]:.1f} ms"
            f" ({len(self.lags_ms)} ticks of {TICK_S * 1000:.0f} ms)",
            f"  decisions meanwhile  {self.decisions} (one every {CALL_EVERY_S * 1000:.0f} ms)",
            f"  peak RSS             {self.peak_rss_mb:.0f} MB{child}",
        ]


class LoopProbe:
    """The ticker and the call: what the loop did while a reload was in flight."""

    def __init__(self, service: RoutingService) -> None:
        self.service = service
        self.lags_ms: list[float] = []
        self.decisions = 0
        self._stop = asyncio.Event()

    async def tick(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            start = loop.time()
            await asyncio.sleep(TICK_S)
            self.lags_ms.append((loop.time() - start - TICK_S) * 1000)

    async def call(self) -> None:
        while not self._stop.is_set():
            self.service.decide(RoutingInputs(at=AT, digits="1"))
            self.decisions += 1
            await asyncio.sleep(CALL_EVERY_S)

    def stop(self) -> None:
        self._stop.set()


def _reset_peak_rss() -> None:
    """Linux: make VmHWM start again from the current RSS."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(name: str, service: RoutingService) -> ReloadFigures:
    probe = LoopProbe(service)
    _reset_peak_rss()
    tasks = [asyncio.create_task(probe.tick()), asyncio.create_task(probe.call())]
    start = time.perf_counter()
    errors = await service.publish()
    wall = time.perf_counter() - start
    probe.stop()
    await asyncio.gather(*tasks)
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return ReloadFigures(name, wall, probe.lags_ms, probe.decisions, errors, _peak_rss_mb(), child)


def write_directory(folder: Path, rows: int, fmt: str) -> Path:
    """The shipped entries (rules and intents name them) and generated people up to ``rows``."""
    shipped = Directory.load_yaml(folder / "directory.yaml")
    ids = {e.id for e in shipped}
    extra = [e for e in sample_directory(people=rows, seed=7) if e.id not in ids]
    directory = Directory([*shipped, *extra][: max(rows, len(ids))])
    (folder / "directory.yaml").unlink()
    if fmt == "csv":
        path = folder / "directory.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["id", "kind", "name", "rank", "aliases", "extension", "hours", "team"])
            for e in directory:
                rank = e.rank if e.kind == "person" else ""
                aliases = ";".join(e.aliases)
                out.writerow([e.id, e.kind, e.name, rank, aliases, e.extension, e.hours, e.team])
        return path
    path = folder / "directory.yaml"
    directory.to_yaml(path, "bench/reload.py")  # as `ivr directory import` writes it
    return path


async def run(rows: int, fmt: str, via: str) -> list[ReloadFigures]:
    builder = ProcessBuilder() if via == "process" else ThreadBuilder()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rules"
        shutil.copytree(DEFAULT_FOLDER, folder)
        service = RoutingService(folder, builder=builder)
        print(f"live rules: {service.bundle.summary()}", flush=True)
        idle = LoopProbe(service)
        ticking = asyncio.create_task(idle.tick())
        await asyncio.sleep(2)
        idle.stop()
        await ticking
        lags = sorted(idle.lags_ms)
        print(
            f"idle loop (no reload, 2 s): lag p50/p99/max {statistics.median(lags):.1f} /"
            f" {lags[int(len(lags) * 0.99)]:.1f} / {lags[-1]:.1f} ms",
            flush=True,
        )
        rules = folder / "rules.yaml"
        shipped_rules = rules.read_text()
        rules.write_text(shipped_rules + ("# padding" + " " * 90 + "\n") * (10 * MB // 100))
        figures = [await measure(f"{rules.stat().st_size / MB:.0f} MB rules.yaml", service)]
        rules.write_text(shipped_rules)
        started = time.perf_counter()
        path = write_directory(folder, rows, fmt)
        print(
            f"wrote {path.name}: {rows} rows, {path.stat().st_size / MB:.1f} MB"
            f" ({time.perf_counter() - started:.0f} s); publishing via {via}",
            flush=True,
        )
        figures.append(await measure(f"{rows}-row {path.name}", service))
        print(f"now: {service.bundle.summary()}", flush=True)
    await service.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("yaml", "csv"), default="yaml")
    parser.add_argument("--via", choices=("thread", "process"), default="process")
    args = parser.parse_args()
    for figures in asyncio.run(run(args.rows, args.format, args.via)):
        print("\n".join(figures.lines()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
