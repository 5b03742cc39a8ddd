"""/_sim: test controls (place scripted calls, inspect what callers heard, drop sockets)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from aiohttp import web

from ivr.http_guard import loads_json
from ivr.simulator.config import AgentProfile, TalkFrom
from ivr.simulator.dialplan import (
    CallerBehaviour,
    ScriptError,
    Step,
    agent_profile,
    parse_script,
    validate_digits,
)
from ivr.simulator.engine import Engine
from ivr.simulator.events import JsonObject
from ivr.simulator.ws import EventSocketHub


def problem(status: int, message: str, error_id: str) -> web.Response:
    return web.json_response({"message": message, "error_id": error_id}, status=status)


async def read_json(request: web.Request) -> JsonObject:
    raw = await request.read()
    if not raw.strip():
        return {}
    data = loads_json(raw)  # BadJson (too deep, not UTF-8) is a ValueError like the rest
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


class RequestLog:
    """Every /ari request's method, path, query and status, in arrival order."""

    def __init__(self) -> None:
        self.entries: list[JsonObject] = []

    def add(self, method: str, path: str, query: dict[str, Any], status: int) -> None:
        self.entries.append({"method": method, "path": path, "query": query, "status": status})


class SimControl:
    def __init__(self, engine: Engine, hub: EventSocketHub, requests: RequestLog) -> None:
        self.engine = engine
        self.hub = hub
        self.requests = requests
        self.agents: dict[str, AgentProfile] = {}
        self.texts: list[JsonObject] = []  # what the app sent to the simulated SMS provider

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_post("/_sim/calls", self.place_call)
        r.add_get("/_sim/calls/{id}", self.get_call)
        r.add_post("/_sim/calls/{id}/dtmf", self.call_dtmf)
        r.add_post("/_sim/calls/{id}/say", self.call_say)
        r.add_post("/_sim/calls/{id}/hangup", self.call_hangup)
        r.add_get("/_sim/requests", self.get_requests)
        r.add_delete("/_sim/requests", self.clear_requests)
        r.add_post("/_sim/ws/drop", self.drop_sockets)
        r.add_get("/_sim/objects", self.objects)
        r.add_post("/_sim/agents", self.set_agent)
        r.add_post("/_sim/agents/answer", self.answer_agent)
        r.add_post("/_sim/sms", self.receive_sms)
        r.add_get("/_sim/sms", self.list_sms)

    async def place_call(self, request: web.Request) -> web.Response:
        try:
            body = await read_json(request)
            steps = parse_script(body.get("script", []))
        except ScriptError as exc:
            return problem(400, str(exc), exc.error_id)
        except ValueError as exc:
            return problem(400, f"invalid JSON body: {exc}", "invalid-json")
        start = body.get("start", "answer")
        if start not in ("answer", "now"):
            return problem(400, "start must be 'answer' or 'now'", "invalid-start")
        dialled = str(body.get("dialled", "101"))
        behaviour = CallerBehaviour(steps, hangup_at_end=False, start_on_answer=start == "answer")
        caller, inbound = self.engine.calls.sim_call(
            dialled,
            str(body.get("caller_name", "Test Caller")),
            str(body.get("caller_number", "07700900123")),
            behaviour,
        )
        return web.json_response(
            {"caller_channel_id": caller.id, "channel_id": inbound.id if inbound else None},
            status=201,
        )

    async def get_call(self, request: web.Request) -> web.Response:
        record = self.engine.records.get(request.match_info["id"])
        if record is None:
            return problem(404, "Call not found", "call-not-found")
        return web.json_response(record.to_json())

    def _caller(self, request: web.Request) -> str | None:
        record = self.engine.records.get(request.match_info["id"])
        if record is None or record.caller_channel_id not in self.engine.channels:
            return None
        return record.caller_channel_id

    async def call_dtmf(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return problem(404, "Call not found or already over", "call-not-found")
        try:
            digits = validate_digits(str((await read_json(request)).get("digits", "")))
        except ScriptError as exc:
            return problem(400, str(exc), exc.error_id)
        except ValueError as exc:
            return problem(400, f"invalid JSON body: {exc}", "invalid-json")
        self.engine.caller_side.caller_dtmf(caller, digits)
        return web.json_response({"digits": digits}, status=202)

    async def call_say(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return problem(404, "Call not found or already over", "call-not-found")
        try:
            body = await read_json(request)
        except ValueError as exc:
            return problem(400, f"invalid JSON body: {exc}", "invalid-json")
        if isinstance(body.get("sound"), str):
            step = Step("say_sound", text=body["sound"])
        elif isinstance(body.get("path"), str):
            step = Step("say", text=body["path"])
        else:
            return problem(400, "path (or sound) is required", "missing-path")
        try:
            seconds = self.engine.caller_side.caller_say(caller, step)
        except Exception as exc:  # a bad WAV is the test's mistake, not a server fault
            return problem(400, f"cannot say {step.text}: {exc}", "bad-audio")
        return web.json_response({"seconds": seconds}, status=202)

    async def call_hangup(self, request: web.Request) -> web.Response:
        caller = self._caller(request)
        if caller is None:
            return problem(404, "Call not found or already over", "call-not-found")
        self.engine.caller_side.caller_hangup(caller, "caller")
        return web.json_response({}, status=202)

    async def get_requests(self, request: web.Request) -> web.Response:
        return web.json_response(self.requests.entries)

    async def clear_requests(self, request: web.Request) -> web.Response:
        self.requests.entries.clear()
        return web.Response(status=204)

    async def drop_sockets(self, request: web.Request) -> web.Response:
        return web.json_response({"dropped": await self.hub.drop_all(1001)})

    async def objects(self, request: web.Request) -> web.Response:
        engine = self.engine
        ports = sorted(
            ch.external.local_port for ch in engine.channels.values() if ch.external is not None
        )
        return web.json_response(
            {
                "channels": sorted(engine.channels),
                "bridges": sorted(engine.bridges),
                "playbacks": sorted(engine.playbacks),
                "external_media": ports,
                "timers": len(engine.scheduler),
                "tasks": len(engine.tasks),
            }
        )

    async def receive_sms(self, request: web.Request) -> web.Response:
        """A stand-in SMS provider (the app's [sms] url) so the demo's texts go somewhere."""
        try:
            body = await read_json(request)
        except ValueError as exc:
            return problem(400, f"invalid JSON body: {exc}", "invalid-json")
        if not body.get("to") or not body.get("body"):
            return problem(400, "'to' and 'body' are required", "invalid-sms")
        self.texts.append(body)
        return web.json_response({"id": f"sim-sms-{len(self.texts)}"}, status=201)

    async def list_sms(self, request: web.Request) -> web.Response:
        return web.json_response(self.texts)

    async def set_agent(self, request: web.Request) -> web.Response:
        """Change how an endpoint answers: any of answer_after, talk_for, reject, talk_from.

        Every key is checked and an unknown one refused: a test whose setting was dropped
        without a word would go on to test something else.
        """
        try:
            body = await read_json(request)
            endpoint = body.get("endpoint")
            if not isinstance(endpoint, str) or not endpoint:
                raise ValueError("endpoint is required, e.g. PJSIP/fcr-1")
            current = agent_profile(self.engine.config, endpoint, self.engine.agent_overrides)
            profile = replace(current, **agent_changes(body))
        except ValueError as exc:
            return problem(400, f"bad agent profile: {exc}", "invalid-agent")
        self.engine.set_agent(endpoint, profile)
        return web.json_response(
            {
                "endpoint": endpoint,
                "answer_after": profile.answer_after,
                "talk_for": profile.talk_for,
                "reject": profile.reject,
                "talk_from": profile.talk_from.value,
            }
        )

    async def answer_agent(self, request: web.Request) -> web.Response:
        """Every phone of an endpoint ringing now answers at once: ``{"endpoint": ...}``.

        For a test whose agent must answer once something has happened (a restarted app
        is following the call), not after a delay that a slow machine may outlast. The
        ids answered are returned; none is not an error (nothing was ringing).
        """
        try:
            endpoint = (await read_json(request)).get("endpoint")
        except ValueError as exc:
            return problem(400, f"invalid JSON body: {exc}", "invalid-json")
        if not isinstance(endpoint, str) or not endpoint:
            return problem(400, "endpoint is required, e.g. PJSIP/fcr-1", "invalid-agent")
        answered = self.engine.ringer.answer_now(endpoint)
        return web.json_response({"endpoint": endpoint, "answered": answered})


# Longer than any test waits, short enough that the event loop can schedule it: a day.
MAX_AGENT_SECONDS = 86_400.0
_AGENT_KEYS = ("endpoint", "answer_after", "talk_for", "reject", "talk_from")


def agent_changes(body: JsonObject) -> dict[str, Any]:
    """The AgentProfile fields a /_sim/agents body sets; ValueError says what is wrong."""
    unknown = sorted(set(body) - set(_AGENT_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(_AGENT_KEYS)})")
    changes: dict[str, Any] = {}
    if "answer_after" in body:
        changes["answer_after"] = _seconds("answer_after", body["answer_after"])
    if "talk_for" in body:  # null: talks until the other side hangs up
        value = body["talk_for"]
        changes["talk_for"] = None if value is None else _seconds("talk_for", value)
    if "reject" in body:
        if not isinstance(body["reject"], bool):
            raise ValueError("reject must be true or false")
        changes["reject"] = body["reject"]
    if "talk_from" in body:
        try:
            changes["talk_from"] = TalkFrom(body["talk_from"])
        except ValueError:
            choices = " or ".join(repr(t.value) for t in TalkFrom)
            raise ValueError(f"talk_from must be {choices}") from None
    return changes


def _seconds(key: str, value: object) -> float:
    """A number of seconds from 0 to a day; NaN, infinity and 1e308 are refused."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_AGENT_SECONDS
    ):
        raise ValueError(f"{key} must be seconds from 0 to {MAX_AGENT_SECONDS:g}, not {value!r}")
    return float(value)
