"""Directory matcher costs: index build and match latency with a large directory.

.venv/bin/python bench/directory.py [--people 10000] [--queries 3000]

Queries mix what callers say: rank + surname, full names, first names,
misspellings, departments, teams (routed and not), unrelated sentences and 3-best lists.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from ivr.decisions import Hypothesis
from ivr.directory.matcher import DirectoryMatcher
from ivr.directory.sample import sample_directory


def _queries(
    people: list[tuple[str, str, str]], n: int, rng: random.Random
) -> list[list[Hypothesis]]:
    fixed = [
        "my car was broken into last night",
        "firearms licensing please",
        "can I speak to someone about my gun licence",
        "someone in the burglary team",
        "put me through to the crime bureau",
        "I want to report a crime",
        "lost property",
        "roads policing please",  # a team routed to its department
        "can I speak to someone in neighbourhood policing",  # a team mapped to a queue
    ]
    out: list[list[Hypothesis]] = []
    for i in range(n):
        first, surname, title = rng.choice(people)
        kind = i % 6
        if kind == 0:
            text = f"can I speak to {title} {surname} please"
        elif kind == 1:
            text = f"{first} {surname}"
        elif kind == 2:
            cut = rng.randrange(1, max(2, len(surname)))
            text = f"{title} {surname[:cut]}{surname[cut + 1 :]}"  # a dropped letter
        elif kind == 3:
            text = rng.choice(fixed)
        elif kind == 4:
            out.append(
                [
                    Hypothesis(f"{title} {surname}", 0.8),
                    Hypothesis(f"{title} {surname}s", 0.6),
                    Hypothesis(f"{first} {surname}", 0.4),
                ]
            )
            continue
        else:
            text = f"I'd like {first} please"
        out.append([Hypothesis(text, 0.9)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=3_000)
    args = parser.parse_args()
    directory = sample_directory(args.people, seed=7)
    t0 = time.perf_counter()
    matcher = DirectoryMatcher(directory)
    build = time.perf_counter() - t0
    print(f"entries: {len(directory):,}; vocabulary words: {len(matcher.vocabulary):,}")
    print(f"index build: {build * 1000:.0f} ms")
    rng = random.Random(1)
    people = [
        (e.first_name, e.surname, e.spoken_name.split()[0] if e.rank != "STAFF" else "")
        for e in directory
        if e.kind == "person"
    ]
    queries = _queries(people, args.queries, rng)
    for label, fresh in (("cold cache (new matcher)", True), ("warm cache", False)):
        if fresh:
            matcher = DirectoryMatcher(directory)
        times: list[float] = []
        for hyps in queries:
            t = time.perf_counter()
            matcher.match(hyps)
            times.append(time.perf_counter() - t)
        times.sort()
        p50 = statistics.median(times) * 1000
        p99 = times[int(len(times) * 0.99) - 1] * 1000
        print(
            f"match, {label}: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {times[-1] * 1000:.2f} ms"
            f" over {len(times):,} queries"
        )


if __name__ == "__main__":
    main()
