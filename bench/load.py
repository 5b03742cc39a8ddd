"""Concurrent calls through the app and the simulator in one process.

Places N calls at once (each caller keys 1 during the menu and is put
through to an agent who talks for a while), waits for all of them, and
prints: calls completed as expected, wall time, CPU seconds, CPU per call,
peak RSS, ARI requests per call, and event-loop lag (p50/p99/max of a 10 ms
ticker) while the calls run. Simulator and app share one loop here, so the
figures are an upper bound for the app alone.

    .venv/bin/python bench/load.py --calls 300 --time-scale 0.25
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr.simulator import AgentProfile
from tests.integration.app.stack import running_stack, sim_seconds


async def _ticker(lags: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(0.01)
        lags.append((loop.time() - start - 0.01) * 1000)


async def run(calls: int, time_scale: float) -> int:
    import tests.integration.app.stack as stack_mod

    stack_mod.TIME_SCALE = time_scale
    in_menu = sim_seconds("welcome") + 1.0
    agents = {"Local/rc@ivr-agents": AgentProfile(answer_after=2.0, talk_for=10.0)}
    with tempfile.TemporaryDirectory() as tmp:
        async with running_stack(
            Path(tmp), agents=agents, settings={"flow.first_digit_timeout": 6.0 * time_scale}
        ) as stack:
            lags: list[float] = []
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(lags, stop))
            cpu0 = time.process_time()
            t0 = time.perf_counter()
            ids = await asyncio.gather(
                *(
                    stack.place([{"wait": in_menu}, {"dtmf": "1"}], caller=f"0770090{n:04d}")
                    for n in range(calls)
                )
            )
            print(f"placed {calls} calls in {time.perf_counter() - t0:.2f} s", flush=True)
            rows = []
            for n, call_id in enumerate(ids, 1):
                rows.append(await stack.call_row(call_id, timeout=600))
                if n % 50 == 0:
                    print(f"  {n}/{calls} calls ended", flush=True)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            stop.set()
            await ticker
            await stack.nothing_left(timeout=30)
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{stack.base}/_sim/requests") as r,
            ):
                requests = len(await r.json())
    ok = sum(1 for r in rows if r["outcome"] == "transferred" and r["destination"] == "rc")
    lags.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"calls: {calls}, time scale {time_scale} (simulated seconds x {time_scale})")
    print(f"completed as expected: {ok}/{calls}")
    print(f"wall: {wall:.1f} s; CPU: {cpu:.1f} s ({cpu / calls * 1000:.0f} ms per call, sim + app)")
    print(f"ARI requests: {requests} ({requests / calls:.1f} per call)")
    print(
        f"event-loop lag ms: p50 {statistics.median(lags):.1f}, "
        f"p99 {lags[int(len(lags) * 0.99)]:.1f}, max {lags[-1]:.1f}"
    )
    print(f"peak RSS: {rss_mb:.0f} MB")
    return 0 if ok == calls else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--time-scale", type=float, default=0.25)
    args = parser.parse_args()
    return asyncio.run(run(args.calls, args.time_scale))


if __name__ == "__main__":
    sys.exit(main())
