"""Render each directory entry's spoken name to 8 kHz audio for confirm/choose prompts.

The call flow plays ``sound:ivr101/names/<entry id>`` ("Did you want ... PC Sarah
Johnson?"). Names are rendered with the same voice and chain as the prompts
(render_prompts.py), only when an entry's name changed; ``--check`` needs no
synthesizer. A force re-runs this after ``ivr directory import``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from render_prompts import DEFAULT_SOUNDS, REPO_ROOT, check, render

from ivr.directory import Directory
from ivr.prompts import Prompt, PromptCatalogue

DEFAULT_DIRECTORY = REPO_ROOT / "routing_rules" / "directory.yaml"


def names_catalogue(directory: Directory, language: str = "en") -> PromptCatalogue:
    """The directory as a catalogue under ``ivr101/names``, so the prompt renderer does the work."""
    prompts = {e.id: Prompt(e.id, e.spoken_name) for e in directory.entries}
    return PromptCatalogue(language=language, sound_prefix="ivr101/names", prompts=prompts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--sounds", type=Path, default=DEFAULT_SOUNDS, help="sounds root")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--all", action="store_true", help="re-render every name")
    mode.add_argument("--check", action="store_true", help="verify only; needs no synthesizer")
    args = parser.parse_args(argv)
    catalogue = names_catalogue(Directory.load_yaml(args.directory))
    if args.check:
        problems = check(catalogue, args.sounds)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(catalogue.ids)} names: {len(problems)} problem(s)")
        return 1 if problems else 0
    return render(catalogue, args.sounds, args.all)


if __name__ == "__main__":
    sys.exit(main())
