"""Try it: what the draft and the live rules decide for one thing a caller says or keys.

The admin types words or keys (or sends a WAV, heard by the app's own speech engine as
a call's audio is), picks a time, caller flags and the number dialled; both rulesets
decide the same inputs, with the operators' diverts in force now, side by side.
"""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from ivr.clock import UK
from ivr.console.bodies import json_object
from ivr.console.errors import BadRequest, Conflict
from ivr.console.identity import Role, require
from ivr.decisions import Hypothesis
from ivr.replay.model import Verdict
from ivr.routing.model import CallerContext, RoutingInputs
from ivr.rulesets.draft_builds import DraftWorkspace
from ivr.rulesets.draft_http import Invalid, form_parts, is_multipart, text_of
from ivr.rulesets.draft_view import view
from ivr.speech.model import RecognizerError, SpeechService
from ivr.speech.resample import resample_pcm16

LONDON = UK
PHONE_RATE = 8000
MAX_WAV = 2 * 48000 * 30 + 1024  # 30 s of 48 kHz 16-bit mono, and a header
MAX_TEXT = 500
MAX_FLAGS = 20
SpeechSource = Callable[[], SpeechService | None]


class TryApi:
    def __init__(
        self, workspace: DraftWorkspace, speech: SpeechSource, clock: Callable[[], datetime]
    ) -> None:
        self.workspace = workspace
        self.speech = speech
        self.clock = clock

    async def try_it(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        if is_multipart(request):
            parts = await form_parts(request, MAX_WAV + 16 * 1024)
            fields: dict[str, Any] = {
                k: text_of(v, k) for k, v in parts.items() if k not in ("audio", "flags")
            }
            if "flags" in parts:
                flags = text_of(parts["flags"], "flags")
                fields["flags"] = [f.strip() for f in flags.split(",") if f.strip()]
            audio = parts.get("audio")
        else:
            fields, audio = await json_object(request), None
        heard = await self._heard(audio) if audio is not None else None
        inputs = self._inputs(fields, heard)
        draft = await self.workspace.current()
        build = await self.workspace.built(draft)
        if build.engine is None:
            raise Invalid("the draft has errors: fix them to try it", build.errors)
        routing = self.workspace.routing
        live = routing.decide(inputs)
        drafted = build.engine.decide(routing.in_force(inputs))
        live_view = view(live, routing.bundle.directory)
        draft_view = view(drafted, build.engine.bundle.directory)
        return web.json_response(
            {
                "heard": [{"text": h.text, "confidence": h.confidence} for h in inputs.hypotheses],
                "draft": draft_view,
                "live": live_view,
                # A danger check is the same only if a "no" goes the same way too.
                "same": Verdict.of(drafted).label == Verdict.of(live).label,
                "draft_digest": draft.digest,
            }
        )

    async def _heard(self, audio: bytes) -> tuple[Hypothesis, ...]:
        speech = self.speech()
        if speech is None:
            raise Conflict("speech is off or still loading: type what the caller says instead")
        pcm = await asyncio.to_thread(_phone_audio, audio)
        try:
            transcript = await speech.recognize(pcm, PHONE_RATE)
        except RecognizerError as exc:
            raise BadRequest(f"the recording could not be recognised: {exc}") from None
        return transcript.alternatives

    def _inputs(
        self, body: Mapping[str, Any], heard: tuple[Hypothesis, ...] | None
    ) -> RoutingInputs:
        text = _optional_text(body, "text", MAX_TEXT)
        digits = _optional_text(body, "digits", 40)
        if digits is not None and not all(c in "0123456789*#" for c in digits):
            raise BadRequest("digits must be keys: 0-9, * and #")
        if heard is None and not text and not digits:
            raise BadRequest("give text, digits or an audio recording")
        hypotheses = heard if heard is not None else ((Hypothesis(text),) if text else ())
        return RoutingInputs(
            at=self._at(body.get("at")),
            hypotheses=hypotheses,
            digits=digits or None,
            caller=CallerContext(flags=_flags(body.get("flags"))),
            dialled=_optional_text(body, "dialled", 20) or "101",
        )

    def _at(self, value: Any) -> datetime:
        if value is None or value == "":
            return self.clock().astimezone(LONDON)
        if not isinstance(value, str) or len(value) > 40:
            raise BadRequest("at must be an ISO time like 2026-12-25T10:00")
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"at {value!r} is not an ISO time like 2026-12-25T10:00") from None
        return at.replace(tzinfo=LONDON) if at.tzinfo is None else at


def _optional_text(body: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"{name} must be text of at most {limit} characters")
    return value.strip()


def _flags(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if (
        not isinstance(value, list)
        or len(value) > MAX_FLAGS
        or not all(isinstance(f, str) and 0 < len(f) <= 40 for f in value)
    ):
        raise BadRequest(f"flags must be a list of at most {MAX_FLAGS} flag names")
    return frozenset(value)


def _phone_audio(data: bytes) -> bytes:
    """A WAV's 16-bit mono PCM at the telephone's 8 kHz, as a call's audio reaches speech."""
    try:
        with wave.open(io.BytesIO(data), "rb") as handle:
            if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
                raise BadRequest(
                    "the recording must be 16-bit mono PCM WAV (convert with sox -b 16 -c 1)"
                )
            rate = handle.getframerate()
            pcm = handle.readframes(handle.getnframes())
    except (EOFError, wave.Error) as exc:
        raise BadRequest(f"the recording is not a WAV file this can read: {exc}") from None
    if not pcm:
        raise BadRequest("the recording is empty")
    if rate == PHONE_RATE:
        return pcm
    try:
        return resample_pcm16(pcm, rate, PHONE_RATE)
    except ValueError as exc:
        raise BadRequest(f"the recording's rate of {rate} Hz cannot be used: {exc}") from None
