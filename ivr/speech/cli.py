"""``ivr recognize FILE.wav``: run one engine on one recording, as the IVR would.

For admins checking a model and the force's vocabulary against real calls,
and for the bench: the vocabulary comes from the same routing bundle the
app uses (``--rules``), so the result is what a caller would have got.
"""

from __future__ import annotations

import argparse
import json
import sys
import wave
from pathlib import Path
from typing import Any

from ivr.routing.bundle import BundleError, load_bundle
from ivr.speech.factory import ENGINES, build_recognizer
from ivr.speech.model import RecognizerError, Transcript
from ivr.speech.vocabulary import vocabulary_from_bundle


def add_subcommands(subparsers: Any) -> None:
    recognize = subparsers.add_parser(
        "recognize", help="transcribe a 16-bit mono WAV with a speech engine (n-best)"
    )
    recognize.add_argument("wav", type=Path, help="16-bit mono WAV (8 kHz from the phone)")
    recognize.add_argument("--engine", choices=ENGINES, default="pocketsphinx")
    recognize.add_argument("--model", type=Path, default=None, help="engine model folder")
    recognize.add_argument(
        "--rules", type=Path, default=None, help="routing rules folder (default: shipped)"
    )
    recognize.add_argument("--json", action="store_true", help="print JSON")
    recognize.set_defaults(run=cmd_recognize)


def read_wav(path: Path) -> tuple[bytes, int]:
    """(PCM, rate) of a 16-bit mono WAV; ValueError says what is wrong with it."""
    try:
        with wave.open(str(path), "rb") as handle:
            if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
                raise ValueError(
                    f"{path}: need 16-bit mono PCM (got {handle.getnchannels()} channel(s),"
                    f" {8 * handle.getsampwidth()}-bit); convert with sox -b 16 -c 1"
                )
            return handle.readframes(handle.getnframes()), handle.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"{path}: cannot read WAV: {exc}") from exc


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    return {
        "engine": transcript.engine,
        "text": transcript.text,
        "confidence": transcript.confidence,
        "alternatives": [
            {"text": h.text, "confidence": h.confidence} for h in transcript.alternatives
        ],
        "audio_seconds": round(transcript.audio_seconds, 3),
        "decode_seconds": round(transcript.decode_seconds, 3),
    }


def cmd_recognize(args: argparse.Namespace) -> int:
    try:
        pcm, rate = read_wav(args.wav)
        vocabulary = vocabulary_from_bundle(load_bundle(args.rules))
        recognizer = build_recognizer(args.engine, model=args.model, vocabulary=vocabulary)
        transcript = recognizer.recognize(pcm, rate)
    except BundleError as exc:
        print(f"ivr recognize: invalid rules:\n{exc}", file=sys.stderr)
        return 2
    except (ValueError, RecognizerError) as exc:
        print(f"ivr recognize: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(transcript_json(transcript), ensure_ascii=False, indent=2))
        return 0
    print(f"{transcript.text or '(nothing recognised)'}  [{transcript.confidence:.2f}]")
    for n, hyp in enumerate(transcript.alternatives[1:], 2):
        print(f"  {n}. {hyp.text}  [{hyp.confidence:.2f}]")
    print(
        f"{transcript.engine}: {transcript.audio_seconds:.2f} s audio decoded in"
        f" {transcript.decode_seconds:.3f} s"
    )
    return 0
