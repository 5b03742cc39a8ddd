#!/usr/bin/env python3
"""Render prompts/catalogue.yaml to 8 kHz telephone WAVs with espeak-ng and sox.

The WAVs are committed, so Asterisk hosts and CI never need a synthesizer;
``manifest.json`` records a hash of each prompt's text and the voice settings
so only changed prompts are re-rendered and ``--check`` can spot stale audio
without espeak-ng or sox installed.

    scripts/render_prompts.py            render new or changed prompts
    scripts/render_prompts.py --all      re-render everything
    scripts/render_prompts.py --check    exit 1 if any WAV is missing, stale or malformed
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Lets the script run from a plain checkout, without the package installed.
sys.path.insert(0, str(REPO_ROOT))

from ivr.media.synth import (  # noqa: E402  (needs the path above)
    VOICE,
    RenderError,
    missing_tools,
    synthesize,
    wav_problem,
    wav_seconds,
)
from ivr.prompts import CatalogueError, PromptCatalogue  # noqa: E402

DEFAULT_CATALOGUE = REPO_ROOT / "prompts" / "catalogue.yaml"
DEFAULT_SOUNDS = REPO_ROOT / "prompts" / "sounds"
MANIFEST = "manifest.json"


def text_hash(text: str) -> str:
    payload = json.dumps({"text": text, "voice": VOICE}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        print(f"warning: ignoring unreadable {folder / MANIFEST}: {exc}", file=sys.stderr)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def write_manifest(folder: Path, manifest: dict[str, str]) -> None:
    text = json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


def check(catalogue: PromptCatalogue, sounds: Path) -> list[str]:
    """Every reason the committed audio does not match the catalogue."""
    folder = sounds / catalogue.language / catalogue.sound_prefix
    manifest = read_manifest(folder)
    problems: list[str] = []
    for pid in catalogue.ids:
        path = catalogue.wav_path(sounds, pid)
        if not path.is_file():
            problems.append(f"{pid}: missing {path}")
            continue
        if manifest.get(pid) != text_hash(catalogue.text(pid)):
            problems.append(f"{pid}: stale (text or voice settings changed since it was rendered)")
        problem = wav_problem(path)
        if problem:
            problems.append(f"{pid}: {problem}")
    for pid in sorted(set(manifest) - set(catalogue.ids)):
        problems.append(
            f"{pid}: in {MANIFEST} but not in the catalogue (run the renderer to prune)"
        )
    return problems


def render(catalogue: PromptCatalogue, sounds: Path, force: bool) -> int:
    folder = sounds / catalogue.language / catalogue.sound_prefix
    manifest = read_manifest(folder)
    todo = [
        pid
        for pid in catalogue.ids
        if force
        or manifest.get(pid) != text_hash(catalogue.text(pid))
        or not catalogue.wav_path(sounds, pid).is_file()
    ]
    orphans = sorted(set(manifest) - set(catalogue.ids))
    if todo:
        absent = missing_tools()
        if absent:
            print(
                f"error: {' and '.join(absent)} not found on PATH; install them "
                "(Debian: apt-get install espeak-ng sox) or use --check, which needs neither",
                file=sys.stderr,
            )
            return 2
    folder.mkdir(parents=True, exist_ok=True)
    for pid in orphans:
        (folder / f"{pid}.wav").unlink(missing_ok=True)
        del manifest[pid]
        print(f"removed {pid}.wav (no longer in the catalogue)")
    for number, pid in enumerate(todo, 1):
        path = catalogue.wav_path(sounds, pid)
        print(f"[{number}/{len(todo)}] {pid} ... ", end="", flush=True)
        try:
            synthesize(catalogue.text(pid), path)
        except (RenderError, OSError) as exc:
            print("failed")
            print(f"error: {pid}: {exc}", file=sys.stderr)
            write_manifest(folder, manifest)
            return 1
        manifest[pid] = text_hash(catalogue.text(pid))
        write_manifest(folder, manifest)
        print(f"{wav_seconds(path):.1f} s")
    if orphans and not todo:
        write_manifest(folder, manifest)
    up_to_date = len(catalogue.ids) - len(todo)
    print(f"{len(todo)} rendered, {up_to_date} up to date, {len(orphans)} removed -> {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--sounds", type=Path, default=DEFAULT_SOUNDS, help="sounds root")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--all", action="store_true", help="re-render every prompt")
    mode.add_argument("--check", action="store_true", help="verify only; needs no synthesizer")
    args = parser.parse_args(argv)
    try:
        catalogue = PromptCatalogue.load(args.catalogue)
    except CatalogueError as exc:
        print(f"error: {exc.error_id}:\n{exc}", file=sys.stderr)
        return 2
    if args.check:
        problems = check(catalogue, args.sounds)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            print(
                "run scripts/render_prompts.py (make prompts) and commit the WAVs", file=sys.stderr
            )
            return 1
        print(f"{len(catalogue.ids)} prompts: audio present and up to date")
        return 0
    return render(catalogue, args.sounds, args.all)


if __name__ == "__main__":
    sys.exit(main())
