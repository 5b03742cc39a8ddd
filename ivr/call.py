"""``ivr call FILE.wav``: one call through the embedded simulator, answered by a recording.

The whole production path: the simulated caller says the file as RTP after
the first question starts, the app's snoop + ExternalMedia tap receives it,
the endpointer cuts the utterance, the engine recognises it, the routing
engine decides. Prints that call's first Decision (the keys of ``ivr route``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from ivr.media.wav import WavError, read_wav_8k
from ivr.sections import ConfigError
from ivr.speech.settings import SpeechEngine

SPEED = 10.0  # prompts and agents run 10x faster; the caller's audio is timed in audio time
SPEECH_LOAD_TIMEOUT_S = 180.0
DECISION_TIMEOUT_S = 60.0


def add_subcommands(subparsers: Any) -> None:
    call = subparsers.add_parser(
        "call", help="place one call through the simulator and answer the first question with a WAV"
    )
    call.add_argument("wav", type=Path, help="what the caller says (WAV, any rate; mono or stereo)")
    call.add_argument("--rules", type=Path, help="a folder laid out like routing_rules/")
    call.add_argument("--engine", choices=["pocketsphinx", "whisper", "vosk"], default=None)
    call.add_argument("--model", type=Path, help="speech model folder (vosk; whisper optional)")
    call.add_argument("--json", action="store_true", help="print the Decision as one JSON object")
    call.add_argument("--db", default="var/call.db", help="SQLite file for this call's record")
    call.set_defaults(run=cmd_call)


def cmd_call(args: argparse.Namespace) -> int:
    try:
        read_wav_8k(args.wav)
    except WavError as exc:
        print(f"ivr call: {exc}", file=sys.stderr)
        return 2
    settings: dict[str, Any] = {"routing.rules_dir": args.rules}
    if args.engine:
        settings["speech.engine"] = SpeechEngine(args.engine)
    if args.model:
        settings["speech.model"] = args.model
    try:
        decision = asyncio.run(place_call(args.wav.resolve(), args.db, settings))
    except ConfigError as exc:
        print(f"ivr call: {exc}", file=sys.stderr)
        return 2
    if decision is None:
        print("ivr call: the call ended without a routing decision", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(decision))
    else:
        print(f"{decision['action']} -> {decision['destination']} ({decision['rule']})")
        print(f"heard: {decision['evidence'].get('inputs', {}).get('heard')}")
        print(f"why: {decision['reason']}")
    return 0


async def place_call(wav: Path, db_path: str, settings: dict[str, Any]) -> dict[str, Any] | None:
    # Imported here: the app and the simulator are only needed once a call is placed.
    from ivr.embedded import WEEKDAY_MORNING, embedded, prompt_seconds

    async with embedded(
        speed=SPEED, db_path=db_path, start=WEEKDAY_MORNING, settings=settings
    ) as stack:
        if not await stack.wait_speech_ready(SPEECH_LOAD_TIMEOUT_S):
            raise ConfigError("the speech engine did not load (see the log); nothing to test")
        # The caller starts talking once the first question is under way.
        script: list[dict[str, object]] = [
            {"wait": prompt_seconds("welcome") + 1.0},
            {"say": str(wav)},
        ]
        call_id = await stack.place(script, "07700900999", "Test Caller")
        decision = await stack.first_decision(call_id, DECISION_TIMEOUT_S)
        return None if decision is None else _as_route_json(decision)


def _as_route_json(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("action", "destination", "candidates", "intent", "rule", "reason", "message")
    out = {k: row.get(k) for k in keys}
    out["destination"] = row.get("destination") or None
    out["intent"] = row.get("intent") or None
    out["offers"] = row.get("offers", [])
    out["evidence"] = row.get("evidence", {})
    return out
