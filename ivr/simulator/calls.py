"""Making channels: originate, create + dial, inbound callers (``ringing`` rings agents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivr.simulator.config import AgentProfile
from ivr.simulator.dialplan import (
    CALLER_CONTEXT,
    CALLER_EXTENSIONS,
    ENTRY_CONTEXT,
    ENTRY_STASIS_PRIORITY,
    PSTN_CONTEXT,
    CallerBehaviour,
    ScriptRunner,
    device_name,
    local_parts,
    parse_caller_id,
    parse_endpoint,
    route,
)
from ivr.simulator.errors import AriError, bad_request
from ivr.simulator.model import CallRecord, Channel, Dialplan, Party

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine

OUTGOING = ("AppDial2", "(Outgoing Line)")
SILENT_AGENT = AgentProfile(answer_after=0.0, talk_for=None)


def allocation_failed() -> AriError:
    return AriError(500, "Allocation failed", "allocation-failed", key="error")


@dataclass
class OriginateSpec:
    """The query of POST /channels and /channels/create, already type-checked."""

    endpoint: str | None = None
    extension: str | None = None
    context: str | None = None
    priority: int | None = None
    app: str | None = None
    app_args: str | None = None
    caller_id: str | None = None
    timeout: int = 30
    channel_id: str | None = None
    other_channel_id: str | None = None
    variables: dict[str, str] = field(default_factory=dict)


class CallFactory:
    """Makes channels: originate, create and dial; agents are rung by the AgentRinger."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ---- allocation ------------------------------------------------------------------
    def check_ids(self, *ids: str | None) -> None:
        for channel_id in ids:
            if channel_id and channel_id in self._engine.channels:
                raise AriError(
                    409, "Channel with given unique ID already exists", "channel-id-exists"
                )

    def allocate(self, spec: OriginateSpec, *, created: bool) -> tuple[Channel, Channel | None]:
        """Request the channel(s) for an endpoint: a Local pair or one PJSIP-like channel."""
        engine = self._engine
        endpoint = spec.endpoint or ""
        tech, resource = parse_endpoint(endpoint)
        if not resource or tech not in ("Local", "PJSIP", "SIP", "UnicastRTP"):
            raise allocation_failed()
        other_id = spec.other_channel_id
        if other_id is None and spec.channel_id and tech == "Local":
            other_id = f"{spec.channel_id};2"
        self.check_ids(spec.channel_id, other_id)
        name, number = parse_caller_id(spec.caller_id) if spec.caller_id else ("", "")
        app = ("", "") if created else OUTGOING
        if tech != "Local":
            facing = engine.new_channel(
                spec.channel_id or engine.new_uid(),
                f"{tech}/{device_name(resource)}-{engine.next_tech()}",
                tech=tech,
                state="Down",
                dialplan=Dialplan("default", "s", 1, *app),
                caller=Party(name, number),
                connected=Party(name, number),
                endpoint=endpoint,
            )
            facing.dialstring = resource
            facing.variables.update(spec.variables)
            return facing, None
        exten, context = local_parts(resource)
        base = f"Local/{resource}-{engine.next_local()}"
        facing = engine.new_channel(
            spec.channel_id or engine.new_uid(),
            f"{base};1",
            tech="Local",
            state="Down",
            dialplan=Dialplan(context, exten, 1, *app),
            caller=Party(name, number),
            connected=Party(name, number),
            endpoint=endpoint,
        )
        far = engine.new_channel(
            other_id or engine.new_uid(),
            f"{base};2",
            tech="Local",
            state="Ring",
            dialplan=Dialplan(context, exten, 1),
            caller=Party(name, number),
            connected=Party(name, number),
            endpoint=endpoint,
        )
        facing.peer_id, far.peer_id = far.id, facing.id
        facing.dialstring = resource
        facing.variables.update(spec.variables)
        return facing, far

    # ---- POST /channels --------------------------------------------------------------
    def originate(self, spec: OriginateSpec, behaviour: CallerBehaviour | None = None) -> Channel:
        if not spec.endpoint:
            raise bad_request("Endpoint must be specified", "missing-endpoint")
        if not spec.app and not spec.extension:
            raise bad_request("Application or extension must be specified", "missing-app")
        facing, far = self.allocate(spec, created=False)
        engine = self._engine
        if spec.app:
            args = spec.app_args.split(",") if spec.app_args else []
            facing.pending_stasis = (spec.app, args)
            for ch in (facing, far):
                if ch is not None:
                    ch.app_created = True
                    engine.subscribe(ch, spec.app)
        else:
            context = spec.context or CALLER_CONTEXT
            if behaviour is None and context == CALLER_CONTEXT:
                behaviour = CALLER_EXTENSIONS.get(spec.extension or "")
            if behaviour is not None:
                location = (context, spec.extension) if spec.extension else None
                runner = ScriptRunner(
                    engine.scheduler, engine.caller_side, facing.id, behaviour, location=location
                )
                engine.runners[facing.id] = runner
                if not behaviour.start_on_answer:
                    engine.scheduler.soon(runner.start, owner=facing.id)
        if far is None:
            self._engine.ringer.ring(
                facing,
                None,
                announce_far=False,
                dialstring=facing.dialstring,
                later_dialstring=facing.dialstring,
                timeout=spec.timeout,
            )
            return facing
        where = route(engine.config, far.dialplan.context, far.dialplan.exten)
        if where.kind == "stasis":
            record = CallRecord(facing.id, far.id, far.dialplan.exten)
            facing.record = far.record = record
            engine.records[facing.id] = engine.records[far.id] = record
            exten = far.dialplan.exten
            if where.shipped:
                far.dialplan = Dialplan(ENTRY_CONTEXT, exten, ENTRY_STASIS_PRIORITY)
                args = [exten]
            else:
                far.dialplan = Dialplan(far.dialplan.context, exten, 2)
                args = []
            engine.scheduler.soon(self._inbound_enters, far.id, where.app, args, owner=far.id)
        elif where.kind == "none":
            engine.scheduler.soon(self._no_such_extension, facing.id, owner=facing.id)
        else:
            profile = SILENT_AGENT if where.kind == "caller" else None
            self._engine.ringer.ring(
                facing,
                far,
                announce_far=bool(spec.app),
                dialstring=facing.dialstring,
                later_dialstring=facing.dialstring,
                timeout=spec.timeout,
                profile=profile,
            )
        return facing

    def _inbound_enters(self, far_id: str, app: str, args: list[str]) -> None:
        engine = self._engine
        far = engine.channels.get(far_id)
        if far is None or far.hung_up:
            return
        if not engine.enter_stasis(far, app, args, varset=False):
            engine.hangup(far, cause=16, request=None, who="stasis-failed")

    def _no_such_extension(self, facing_id: str) -> None:
        facing = self._engine.channels.get(facing_id)
        if facing is not None:
            self._engine.ringer.dial_event(facing, "", facing.dialstring)
            self._engine.ringer.dial_event(facing, "CHANUNAVAIL", facing.dialstring)
            self._engine.hangup(facing, cause=1, request={"cause": 1}, who="no-such-extension")

    # ---- POST /channels/create + /dial -------------------------------------------------
    def create(self, spec: OriginateSpec) -> Channel:
        if not spec.endpoint:
            raise bad_request("Endpoint must be specified", "missing-endpoint")
        if not spec.app:
            raise bad_request("Application must be specified", "missing-app")
        facing, _far = self.allocate(spec, created=True)
        facing.app_created = True
        self._engine.subscribe(facing, spec.app)
        args = spec.app_args.split(",") if spec.app_args else []
        self._engine.scheduler.soon(
            self._created_enters, facing.id, spec.app, args, owner=facing.id
        )
        return facing

    def _created_enters(self, channel_id: str, app: str, args: list[str]) -> None:
        engine = self._engine
        ch = engine.channels.get(channel_id)
        if ch is not None and not engine.enter_stasis(
            ch, app, args, varset=True, announce_dialplan=True
        ):
            engine.hangup(ch, cause=16, request=None, who="stasis-failed")

    def dial(self, ch: Channel, caller: str | None, timeout: int) -> None:
        if not ch.dialstring or ch.state != "Down" or ch.dialled:
            raise AriError(409, "Channel is not in a state to be dialed", "not-dialable")
        ch.dialled = True
        engine = self._engine
        if caller:
            source = engine.channels.get(caller)
            if source is None:
                raise AriError(404, "Caller channel not found", "caller-not-found")
            ch.connected = source.caller.copy()
            engine.emit_channel(ch, "ChannelConnectedLine")
        self._engine.ringer.ring(
            ch,
            engine.peer(ch),
            announce_far=False,
            dialstring=ch.dialstring,
            later_dialstring="",
            timeout=timeout,
        )

    # ---- /_sim/calls ---------------------------------------------------------------------
    def sim_call(
        self, dialled: str, caller_name: str, caller_number: str, behaviour: CallerBehaviour
    ) -> tuple[Channel, Channel | None]:
        """An inbound call as a network call comes in through the project's dialplan
        (``from-pstn`` -> ``ivr101-entry``, Stasis with the number dialled as its
        argument, as the real Asterisk shows it), with a scripted caller."""
        caller_id = f'"{caller_name}" <{caller_number}>' if caller_name else caller_number
        spec = OriginateSpec(
            endpoint=f"Local/{dialled}@{PSTN_CONTEXT}",
            extension="sim",
            context=CALLER_CONTEXT,
            priority=1,
            caller_id=caller_id or None,
        )
        facing = self.originate(spec, behaviour=behaviour)
        return facing, self._engine.peer(facing)
