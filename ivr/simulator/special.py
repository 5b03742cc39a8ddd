"""Snoop, externalMedia, continue and redirect: the channel operations with side channels."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivr.simulator.calls import allocation_failed
from ivr.simulator.dialplan import CALLER_CONTEXT, route
from ivr.simulator.errors import AriError, bad_request
from ivr.simulator.media import ExternalMediaEndpoint
from ivr.simulator.model import Channel, Dialplan

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine

DIRECTIONS = ("none", "both", "out", "in")
FORMATS = ("slin", "ulaw", "alaw")
# Real seconds between the externalMedia response and the channel's StasisStart. Asterisk
# took ~1 ms (golden trace snoop_externalmedia); a client that sends addChannel at once gets
# 422 there. 5 ms was too short for that race to replay reliably on a loaded 2-core CI
# runner (the client's round trip lost to the timer), so the window is wider than Asterisk's.
STASIS_START_LAG = 0.05


@dataclass
class ExternalMediaSpec:
    app: str | None = None
    external_host: str | None = None
    format: str | None = None
    encapsulation: str = "rtp"
    transport: str = "udp"
    connection_type: str = "client"
    direction: str = "both"
    channel_id: str | None = None
    variables: dict[str, str] = field(default_factory=dict)


class ChannelSpecials:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ---- snoop -----------------------------------------------------------------------
    def snoop(
        self,
        target: Channel,
        spy: str | None,
        whisper: str | None,
        app: str | None,
        app_args: str | None,
        snoop_id: str | None,
    ) -> Channel:
        engine = self._engine
        spy, whisper = spy or "none", whisper or "none"
        if spy not in DIRECTIONS:
            raise bad_request("Invalid direction specified for spy", "invalid-spy")
        if whisper not in DIRECTIONS:
            raise bad_request("Invalid direction specified for whisper", "invalid-whisper")
        if spy == "none" and whisper == "none":
            raise bad_request(
                "Direction must be specified for at least spy or whisper", "missing-direction"
            )
        if not app:
            raise bad_request("Application name is required", "missing-app")
        engine.calls.check_ids(snoop_id)
        snoop = engine.new_channel(
            snoop_id or engine.new_uid(),
            f"Snoop/{target.id}-{engine.next_snoop()}",
            tech="Snoop",
            state="Up",
            dialplan=Dialplan("default", "s", 1),
        )
        snoop.snoop_of = target.id
        snoop.spy = spy
        target.snoop_ids.add(snoop.id)
        args = app_args.split(",") if app_args else []
        engine.scheduler.soon(self._snoop_enters, snoop.id, app, args, owner=snoop.id)
        return snoop

    def _snoop_enters(self, snoop_id: str, app: str, args: list[str]) -> None:
        snoop = self._engine.channels.get(snoop_id)
        if snoop is not None and not self._engine.enter_stasis(snoop, app, args, varset=False):
            self._engine.hangup(snoop, cause=16, request=None, who="stasis-failed")

    # ---- externalMedia ---------------------------------------------------------------
    async def external_media(self, spec: ExternalMediaSpec) -> Channel:
        engine = self._engine
        if not spec.app:
            raise bad_request("Application name is required", "missing-app")
        if not spec.external_host:
            raise bad_request(
                "external_host is required for all but websocket server connections",
                "missing-external-host",
            )
        if not spec.format:
            raise bad_request("Format is required", "missing-format")
        if spec.encapsulation != "rtp":
            raise bad_request(
                f"Unsupported encapsulation '{spec.encapsulation}'", "unsupported-encapsulation"
            )
        if spec.transport != "udp":
            raise bad_request(f"Unsupported transport '{spec.transport}'", "unsupported-transport")
        if spec.direction not in ("both", "in", "out"):
            raise bad_request("Invalid direction", "invalid-direction")
        if spec.format not in FORMATS:
            raise allocation_failed()
        host, _, port_text = spec.external_host.rpartition(":")
        if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise bad_request("external_host must be host:port", "invalid-external-host")
        engine.calls.check_ids(spec.channel_id)
        try:
            endpoint = await ExternalMediaEndpoint.open(
                engine.config.rtp_host,
                (host, int(port_text)),
                spec.format,
                engine.config.time_scale,
            )
        except OSError as exc:
            raise allocation_failed() from exc
        channel_id = spec.channel_id or engine.new_uid()
        if channel_id in engine.channels:
            engine.spawn(endpoint.close())
            engine.calls.check_ids(channel_id)
        ch = engine.new_channel(
            channel_id,
            f"UnicastRTP/{spec.external_host}-0x{secrets.token_hex(6)}",
            tech="UnicastRTP",
            state="Down",
            dialplan=Dialplan("default", "s", 1, "AppDial2", "(Outgoing Line)"),
        )
        ch.external = endpoint
        ch.app_created = True
        engine.subscribe(ch, spec.app)
        ch.dialstring = f"{spec.external_host}/c({spec.format})"
        ch.variables["UNICASTRTP_LOCAL_PORT"] = str(endpoint.local_port)
        ch.variables["UNICASTRTP_LOCAL_ADDRESS"] = endpoint.local_address
        ch.variables.update(spec.variables)
        engine.scheduler.soon(self._external_dials, ch.id, spec.app, owner=ch.id)
        return ch

    def _external_dials(self, channel_id: str, app: str) -> None:
        engine = self._engine
        ch = engine.channels.get(channel_id)
        if ch is None:
            return
        engine.ringer.dial_event(ch, "", ch.dialstring)
        engine.set_state(ch, "Up")
        engine.scheduler.later(
            STASIS_START_LAG, self._external_enters, channel_id, app, owner=channel_id, scaled=False
        )

    def _external_enters(self, channel_id: str, app: str) -> None:
        engine = self._engine
        ch = engine.channels.get(channel_id)
        if ch is None:
            return
        engine.ringer.dial_event(ch, "ANSWER", ch.dialstring)
        if not engine.enter_stasis(ch, app, [], varset=True):
            engine.hangup(ch, cause=16, request=None, who="stasis-failed")

    # ---- continue / redirect -----------------------------------------------------------
    def continue_in_dialplan(
        self, ch: Channel, context: str | None, extension: str | None, priority: int | None
    ) -> None:
        engine = self._engine
        current = ch.saved_dialplan or ch.dialplan
        target_context = context or current.context
        target_exten = extension or current.exten
        engine.leave_stasis(ch)
        ch.dialplan = Dialplan(target_context, target_exten, priority or current.priority + 1)
        if ch.record is not None:
            ch.record.notes.append(f"continue {target_context},{target_exten}")
        where = route(engine.config, target_context, target_exten)
        if where.kind == "stasis" and target_context == CALLER_CONTEXT:
            engine.scheduler.soon(self._reenter, ch.id, where.app, owner=ch.id)
        else:
            engine.scheduler.soon(self._polite_hangup, ch.id, "dialplan", owner=ch.id)

    def _reenter(self, channel_id: str, app: str) -> None:
        engine = self._engine
        ch = engine.channels.get(channel_id)
        if ch is not None and not engine.enter_stasis(ch, app, [], varset=ch.app_created):
            engine.hangup(ch, cause=16, request={"cause": 16}, who="stasis-failed")

    def _polite_hangup(self, channel_id: str, who: str) -> None:
        ch = self._engine.channels.get(channel_id)
        if ch is not None:
            self._engine.hangup(ch, cause=16, request={"cause": 16}, who=who)

    def redirect(self, ch: Channel, endpoint: str | None) -> None:
        if not endpoint:
            raise bad_request("Required parameter endpoint not specified", "missing-endpoint")
        tech, _, resource = endpoint.partition("/")
        if not resource:
            raise bad_request(
                "Endpoint parameter is not in the form tech/resource", "invalid-endpoint"
            )
        if tech.lower() != ch.tech.lower():
            raise AriError(
                422,
                f"Endpoint technology '{tech}' does not match channel technology '{ch.tech}'",
                "tech-mismatch",
            )
        engine = self._engine
        if ch.record is not None:
            ch.record.notes.append(f"redirect {endpoint}")
        engine.leave_stasis(ch)
        engine.scheduler.soon(self._polite_hangup, ch.id, "redirect", owner=ch.id)
