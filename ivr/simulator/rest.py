"""The /ari REST routes: parse the query like Asterisk, call the engine, shape the reply."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ivr.http_guard import BadJson, loads_json
from ivr.simulator.calls import OriginateSpec
from ivr.simulator.engine import Engine
from ivr.simulator.errors import AriError, bad_request
from ivr.simulator.events import HANGUP_REASONS, JsonObject, ari_timestamp
from ivr.simulator.model import Channel
from ivr.simulator.special import ExternalMediaSpec

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Query:
    """Query parameters with Asterisk's rule that a repeated key's last value wins."""

    def __init__(self, request: web.Request) -> None:
        self._query = request.query

    def text(self, name: str) -> str | None:
        values = self._query.getall(name, [])
        return values[-1] if values else None

    def integer(self, name: str, default: int | None = None) -> int | None:
        raw = self.text(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise bad_request(
                f"Invalid value for parameter {name}: {raw!r}", "invalid-parameter"
            ) from None


def no_content() -> web.Response:
    return web.Response(status=204)


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


async def body_variables(request: web.Request) -> dict[str, str]:
    """The optional JSON body {"variables": {...}} of originate/create/externalMedia."""
    if not request.can_read_body:
        return {}
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = loads_json(raw)
    except BadJson as exc:
        raise bad_request("Invalid JSON body", exc.error_id) from None
    variables = data.get("variables", {}) if isinstance(data, dict) else None
    if not isinstance(variables, dict):
        raise bad_request("variables must be an object", "invalid-variables")
    return {str(k): str(v) for k, v in variables.items()}


class AriRoutes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, app: web.Application) -> None:
        r = app.router
        ch = "/ari/channels/{channelId}"
        br = "/ari/bridges/{bridgeId}"
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/ari/asterisk/info", self.asterisk_info),
            ("GET", "/ari/applications", self.list_apps),
            ("GET", "/ari/applications/{name}", self.get_app),
            ("GET", "/ari/channels", self.list_channels),
            ("POST", "/ari/channels", self.originate),
            ("POST", "/ari/channels/create", self.create),
            ("POST", "/ari/channels/externalMedia", self.external_media),
            ("GET", ch, self.get_channel),
            ("POST", ch, self.originate),
            ("DELETE", ch, self.hangup),
            ("POST", ch + "/answer", self.answer),
            ("POST", ch + "/ring", self.stasis_noop),
            ("DELETE", ch + "/ring", self.stasis_noop),
            ("POST", ch + "/progress", self.stasis_noop),
            ("POST", ch + "/hold", self.stasis_noop),
            ("DELETE", ch + "/hold", self.stasis_noop),
            ("POST", ch + "/silence", self.stasis_noop),
            ("DELETE", ch + "/silence", self.stasis_noop),
            ("POST", ch + "/mute", self.stasis_noop),
            ("DELETE", ch + "/mute", self.stasis_noop),
            ("POST", ch + "/moh", self.start_moh),
            ("DELETE", ch + "/moh", self.stop_moh),
            ("POST", ch + "/play", self.play_channel),
            ("POST", ch + "/play/{playbackId}", self.play_channel),
            ("POST", ch + "/dtmf", self.dtmf),
            ("GET", ch + "/variable", self.get_variable),
            ("POST", ch + "/variable", self.set_variable),
            ("POST", ch + "/snoop", self.snoop),
            ("POST", ch + "/snoop/{snoopId}", self.snoop),
            ("POST", ch + "/dial", self.dial),
            ("POST", ch + "/continue", self.continue_in_dialplan),
            ("POST", ch + "/redirect", self.redirect),
            ("GET", "/ari/bridges", self.list_bridges),
            ("POST", "/ari/bridges", self.create_bridge),
            ("GET", br, self.get_bridge),
            ("POST", br, self.create_bridge),
            ("DELETE", br, self.destroy_bridge),
            ("POST", br + "/addChannel", self.add_channel),
            ("POST", br + "/removeChannel", self.remove_channel),
            ("POST", br + "/play", self.play_bridge),
            ("POST", br + "/play/{playbackId}", self.play_bridge),
            ("POST", br + "/moh", self.bridge_moh),
            ("DELETE", br + "/moh", self.bridge_moh),
            ("GET", "/ari/playbacks/{playbackId}", self.get_playback),
            ("DELETE", "/ari/playbacks/{playbackId}", self.stop_playback),
            ("POST", "/ari/playbacks/{playbackId}/control", self.control_playback),
        ]
        for method, path, handler in table:
            r.add_route(method, path, handler)

    # ---- asterisk / applications -------------------------------------------------------
    async def asterisk_info(self, request: web.Request) -> web.Response:
        cfg = self.engine.config
        started = _ts(self.engine.started_at)
        info: JsonObject = {
            "build": {
                "os": "Linux",
                "kernel": "simulated",
                "machine": "x86_64",
                "options": "OPTIONAL_API",
                "date": started[:10],
                "user": "ivr101",
            },
            "system": {"version": cfg.version, "entity_id": cfg.asterisk_id},
            "config": {"name": "", "default_language": "en", "setid": {"user": "", "group": ""}},
            "status": {"startup_time": started, "last_reload_time": started},
        }
        only = Query(request).text("only")
        if only:
            info = {k: v for k, v in info.items() if k in only.split(",")}
        return ok(info)

    async def list_apps(self, request: web.Request) -> web.Response:
        return ok([app.to_json() for app in self.engine.apps.all()])

    async def get_app(self, request: web.Request) -> web.Response:
        app = self.engine.apps.get(request.match_info["name"])
        if app is None:
            raise AriError(404, "Application not found", "application-not-found")
        return ok(app.to_json())

    # ---- channels ----------------------------------------------------------------------
    def _channel(self, request: web.Request) -> Channel:
        return self.engine.channel(request.match_info["channelId"])

    def _stasis(self, request: web.Request) -> Channel:
        return self.engine.stasis_channel(request.match_info["channelId"])

    async def list_channels(self, request: web.Request) -> web.Response:
        return ok([c.to_json() for c in self.engine.channels.values() if not c.hung_up])

    async def get_channel(self, request: web.Request) -> web.Response:
        return ok(self._channel(request).to_json())

    async def _spec(self, request: web.Request) -> OriginateSpec:
        q = Query(request)
        return OriginateSpec(
            endpoint=q.text("endpoint"),
            extension=q.text("extension"),
            context=q.text("context"),
            priority=q.integer("priority"),
            app=q.text("app"),
            app_args=q.text("appArgs"),
            caller_id=q.text("callerId"),
            timeout=q.integer("timeout", 30) or 0,
            channel_id=request.match_info.get("channelId") or q.text("channelId"),
            other_channel_id=q.text("otherChannelId"),
            variables=await body_variables(request),
        )

    async def originate(self, request: web.Request) -> web.Response:
        return ok(self.engine.calls.originate(await self._spec(request)).to_json())

    async def create(self, request: web.Request) -> web.Response:
        return ok(self.engine.calls.create(await self._spec(request)).to_json())

    async def external_media(self, request: web.Request) -> web.Response:
        q = Query(request)
        spec = ExternalMediaSpec(
            app=q.text("app"),
            external_host=q.text("external_host"),
            format=q.text("format"),
            encapsulation=q.text("encapsulation") or "rtp",
            transport=q.text("transport") or "udp",
            connection_type=q.text("connection_type") or "client",
            direction=q.text("direction") or "both",
            channel_id=q.text("channelId"),
            variables=await body_variables(request),
        )
        ch = await self.engine.specials.external_media(spec)
        return ok(ch.to_json(with_vars=True))

    async def hangup(self, request: web.Request) -> web.Response:
        q = Query(request)
        ch = self._channel(request)
        reason, code = q.text("reason"), q.text("reason_code")
        if reason and code:
            raise bad_request(
                "Only one of reason and reason_code can be specified", "reason-conflict"
            )
        cause = 16
        if code:
            cause = q.integer("reason_code") or 0
        elif reason:
            if reason not in HANGUP_REASONS:
                raise bad_request("Invalid reason for hangup provided", "invalid-reason")
            cause = HANGUP_REASONS[reason]
        self.engine.hangup(ch, cause=cause, request={"cause": 32, "soft": True}, who="app")
        return no_content()

    async def answer(self, request: web.Request) -> web.Response:
        self.engine.answer(self._stasis(request))
        return no_content()

    async def stasis_noop(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        if request.path.endswith("/ring") and request.method == "POST" and ch.record is not None:
            ch.record.ringing.append(_now())
        return no_content()

    async def start_moh(self, request: web.Request) -> web.Response:
        self.engine.start_moh(self._stasis(request), Query(request).text("mohClass") or "default")
        return no_content()

    async def stop_moh(self, request: web.Request) -> web.Response:
        self.engine.stop_moh(self._stasis(request))
        return no_content()

    async def play_channel(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        return self._play(request, ch, ch.language)

    def _play(self, request: web.Request, target: Any, language: str) -> web.Response:
        q = Query(request)
        media = [m for m in (q.text("media") or "").split(",") if m]
        if not media:
            raise AriError(500, "Failed to queue media for playback", "no-media")
        skipms = q.integer("skipms", 3000) or 0
        playback_id = request.match_info.get("playbackId") or q.text("playbackId")
        pb = self.engine.player.play(target, media, q.text("lang") or language, playback_id, skipms)
        return ok(pb.to_json(), status=201, headers={"Location": f"/ari/playbacks/{pb.id}"})

    async def dtmf(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        q = Query(request)
        for name in ("before", "between", "duration", "after"):
            q.integer(name)
        digits = q.text("dtmf")
        if not digits:
            raise bad_request("DTMF is required", "missing-dtmf")
        if ch.record is not None:
            ch.record.dtmf_heard.append({"digits": digits, "at": _now()})
        return no_content()

    async def get_variable(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        name = Query(request).text("variable")
        if not name:
            raise bad_request("Variable name is required", "missing-variable")
        if name not in ch.variables:
            raise AriError(404, "Provided variable was not found", "variable-not-found")
        return ok({"value": ch.variables[name]})

    async def set_variable(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        q = Query(request)
        name = q.text("variable")
        if not name:
            raise bad_request("Variable name is required", "missing-variable")
        self.engine.set_var(ch, name, q.text("value") or "")
        return no_content()

    async def snoop(self, request: web.Request) -> web.Response:
        target = self._channel(request)
        q = Query(request)
        snoop_id = request.match_info.get("snoopId") or q.text("snoopId")
        snoop = self.engine.specials.snoop(
            target, q.text("spy"), q.text("whisper"), q.text("app"), q.text("appArgs"), snoop_id
        )
        return ok(snoop.to_json())

    async def dial(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        q = Query(request)
        self.engine.calls.dial(ch, q.text("caller"), q.integer("timeout", 0) or 0)
        return no_content()

    async def continue_in_dialplan(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        q = Query(request)
        priority = q.integer("priority")
        self.engine.specials.continue_in_dialplan(
            ch, q.text("context"), q.text("extension"), priority
        )
        return no_content()

    async def redirect(self, request: web.Request) -> web.Response:
        ch = self._stasis(request)
        self.engine.specials.redirect(ch, Query(request).text("endpoint"))
        return no_content()

    # ---- bridges -----------------------------------------------------------------------
    async def list_bridges(self, request: web.Request) -> web.Response:
        return ok([b.to_json() for b in self.engine.bridges.values()])

    async def create_bridge(self, request: web.Request) -> web.Response:
        q = Query(request)
        bridge_id = request.match_info.get("bridgeId") or q.text("bridgeId")
        if request.match_info.get("bridgeId") and bridge_id in self.engine.bridges:
            return ok(self.engine.bridges[bridge_id].to_json())
        bridge = self.engine.bridging.create(q.text("type"), bridge_id, q.text("name"))
        return ok(bridge.to_json())

    async def get_bridge(self, request: web.Request) -> web.Response:
        return ok(self.engine.bridging.get(request.match_info["bridgeId"]).to_json())

    async def destroy_bridge(self, request: web.Request) -> web.Response:
        self.engine.bridging.destroy(self.engine.bridging.get(request.match_info["bridgeId"]))
        return no_content()

    async def add_channel(self, request: web.Request) -> web.Response:
        bridge = self.engine.bridging.get(request.match_info["bridgeId"])
        members = self.engine.bridging.resolve_members(Query(request).text("channel"))
        self.engine.bridging.add(bridge, members)
        return no_content()

    async def remove_channel(self, request: web.Request) -> web.Response:
        bridge = self.engine.bridging.get(request.match_info["bridgeId"])
        members = self.engine.bridging.resolve_members(Query(request).text("channel"))
        self.engine.bridging.remove(bridge, members)
        return no_content()

    async def play_bridge(self, request: web.Request) -> web.Response:
        bridge = self.engine.bridging.get(request.match_info["bridgeId"])
        return self._play(request, bridge, "en")

    async def bridge_moh(self, request: web.Request) -> web.Response:
        bridge = self.engine.bridging.get(request.match_info["bridgeId"])
        if request.method == "POST":
            self.engine.bridging.start_moh(bridge, Query(request).text("mohClass") or "default")
        else:
            self.engine.bridging.stop_moh(bridge)
        return no_content()

    # ---- playbacks ---------------------------------------------------------------------
    async def get_playback(self, request: web.Request) -> web.Response:
        return ok(self.engine.player.find(request.match_info["playbackId"]).to_json())

    async def stop_playback(self, request: web.Request) -> web.Response:
        self.engine.player.stop(self.engine.player.find(request.match_info["playbackId"]))
        return no_content()

    async def control_playback(self, request: web.Request) -> web.Response:
        pb = self.engine.player.find(request.match_info["playbackId"])
        self.engine.player.control(pb, Query(request).text("operation"))
        return no_content()


def _now() -> float:
    return time.time()


def _ts(epoch: float) -> str:
    return ari_timestamp(epoch)
