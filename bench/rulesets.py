"""How big a stored ruleset version is, and how long storing and reading one take.

.venv/bin/python bench/rulesets.py [--rows 100000] [--db postgresql://...]

Copies the shipped routing_rules/ to a temporary folder with a ``--rows`` YAML
directory (as bench/reload.py writes it), then: reads the folder and its digest, stores it as a
version in a fresh call database (zlib-compressed JSON, ivr.rulesets.store), reads it
back, and diffs it against the shipped folder. Prints the folder's bytes, the row's
bytes, and each step's wall time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's ivr

from ivr.directory import Directory
from ivr.directory.sample import sample_directory
from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.snapshot import read_ruleset
from ivr.rulesets.diff import diff_rulesets
from ivr.rulesets.store import RulesetStore, VersionKind
from ivr.store.db import CallStore


def write_directory(folder: Path, rows: int) -> None:
    """The shipped entries (rules and intents name them) and generated people up to ``rows``."""
    shipped = Directory.load_yaml(folder / "directory.yaml")
    ids = {e.id for e in shipped}
    extra = [e for e in sample_directory(people=rows, seed=7) if e.id not in ids]
    directory = Directory([*shipped, *extra][: max(rows, len(ids))])
    directory.to_yaml(folder / "directory.yaml", "bench/rulesets.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db",
        default="",
        help="call database (a postgresql:// URL); default: a new SQLite file",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rules"
        shutil.copytree(DEFAULT_FOLDER, folder)
        write_directory(folder, args.rows)
        start = time.perf_counter()
        files = read_ruleset(folder)
        read_s = time.perf_counter() - start
        calls = CallStore(args.db or Path(tmp) / "calls.db")
        store = RulesetStore(calls.db)
        start = time.perf_counter()
        added = store.add(files, datetime.now(UTC), "bench", VersionKind.PUBLISH)
        add_s = time.perf_counter() - start
        (row,) = store.db.execute(
            "SELECT length(files) FROM rulesets WHERE version = ?", [added.version]
        ).fetchall()
        start = time.perf_counter()
        again = store.files(added.version)
        load_s = time.perf_counter() - start
        assert again.digest == files.digest
        start = time.perf_counter()
        diffs = diff_rulesets(read_ruleset(DEFAULT_FOLDER), again, "shipped", "big")
        diff_s = time.perf_counter() - start
        calls.close()
    print(f"ruleset with a {args.rows}-row YAML directory")
    print(f"  folder             {files.size / 1e6:.1f} MB in {len(files.files)} files")
    print(f"  stored row         {row[0] / 1e6:.2f} MB (zlib-compressed JSON)")
    print(f"  read + digest      {read_s * 1000:.0f} ms")
    print(f"  store (compress)   {add_s * 1000:.0f} ms")
    print(f"  read back          {load_s * 1000:.0f} ms")
    print(f"  diff vs shipped    {diff_s * 1000:.0f} ms ({len(diffs)} files differ)")


if __name__ == "__main__":
    main()
