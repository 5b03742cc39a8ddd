"""How long a ruleset build takes in a fresh process: what the admin rules page waits for.

.venv/bin/python bench/rules_build.py [--folder routing_rules] [--rounds 3] [--cold]

The rules page's first load builds the draft (ivr.rulesets.draft_builds) in the
builder process, as a publish does: read and check the files, load the sentence model,
embed every intent example and fit the danger-meaning model. Each example's vector and
the fit are kept on disk (ivr.embedding.anchor_store), so only a machine's first build
of an example runs the model on it. Each round here is a fresh process (nothing in
memory) on the machine's anchor store (``IVR_MEANING_CACHE`` as set, else
~/.cache/ivr101/anchors.sqlite): the build a page waits for. ``--cold`` adds one round
on an empty store in a temporary folder (every example embedded: minutes on 2 cores).
Prints each round's seconds: importing the package, reading the model, the rest of the
build.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ROUND = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from ivr.routing.bundle import load_bundle
from ivr.embedding.encoder import shared_encoder
t1 = time.perf_counter()
shared_encoder()
t2 = time.perf_counter()
load_bundle(Path(sys.argv[1]))
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "model": t2 - t1, "build": t3 - t2}))
"""


def one_round(folder: Path, store: Path | None) -> dict[str, float]:
    """One build in a fresh interpreter; ``store``: the anchor store to use (None: the
    machine's)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if store is not None:
        env["IVR_MEANING_CACHE"] = str(store)
    out = subprocess.run(
        [sys.executable, "-c", ROUND, str(folder)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def show(label: str, figures: dict[str, float]) -> None:
    total = sum(figures.values())
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in figures.items())
    print(f"{label}: {total:.2f} s ({parts})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "routing_rules")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="add a round on an empty store")
    args = parser.parse_args()
    if args.cold:
        with tempfile.TemporaryDirectory() as tmp:
            print("cold round (empty anchor store: every example embedded) ...", flush=True)
            show("cold", one_round(args.folder, Path(tmp) / "anchors.sqlite"))
    one_round(args.folder, None)  # fills the machine's store if this ruleset is new to it
    totals = []
    for n in range(args.rounds):
        figures = one_round(args.folder, None)
        totals.append(sum(figures.values()))
        show(f"warm round {n + 1}/{args.rounds}", figures)
    print(f"warm build, fresh process: median {statistics.median(totals):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
