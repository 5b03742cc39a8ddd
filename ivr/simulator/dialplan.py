"""The simulated extensions.conf: caller behaviours (context ivr-in) and agents (ivr-agents).

A caller script is a list of steps run by the `;1` half of the inbound Local pair, the way
Asterisk runs the dialplan: each step takes simulated time, then the next one starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ivr.simulator.config import AgentProfile, SimulatorConfig
from ivr.simulator.timers import Scheduler

DTMF_TONE = 0.1
DTMF_GAP = 0.25
DTMF_DIGITS = frozenset("0123456789*#ABCDabcd")
WEASELS_SECONDS = 2.95
CALLER_CONTEXT = "ivr-in"
AGENT_CONTEXT = "ivr-agents"
CALLBACK_CONTEXT = "ivr-callback"  # dialplans/extensions.conf: where callbacks dial out
# dialplans/extensions.conf: calls from the network Goto [ivr101-entry], whose third
# priority is Stasis(<app>,${EXTEN}) (the real Asterisk shows the call there).
PSTN_CONTEXT = "from-pstn"
ENTRY_CONTEXT = "ivr101-entry"
ENTRY_STASIS_PRIORITY = 3


class ScriptError(ValueError):
    """A /_sim call script that cannot be run."""

    def __init__(self, message: str, error_id: str = "bad-caller-script") -> None:
        super().__init__(message)
        self.error_id = error_id


@dataclass(frozen=True)
class Step:
    kind: str  # wait | dtmf | say | say_sound | hangup
    seconds: float = 0.0
    text: str = ""

    @property
    def application(self) -> tuple[str, str]:
        """The dialplan application this step shows as, for the channel's dialplan JSON."""
        if self.kind == "wait":
            return "Wait", f"{self.seconds:g}"
        if self.kind == "dtmf":
            return "SendDTMF", self.text
        if self.kind in ("say", "say_sound"):
            return "Playback", self.text
        return "Hangup", ""


@dataclass(frozen=True)
class CallerBehaviour:
    steps: tuple[Step, ...]
    hangup_at_end: bool
    start_on_answer: bool = True


def _builtin(*steps: Step, hangup_at_end: bool = True) -> CallerBehaviour:
    return CallerBehaviour(tuple(steps), hangup_at_end)


CALLER_EXTENSIONS: Mapping[str, CallerBehaviour] = {
    "199": _builtin(hangup_at_end=False),
    "201": _builtin(Step("wait", 2.0), Step("dtmf", text="123#"), Step("wait", 30.0)),
    "202": _builtin(Step("wait", 1.5), Step("hangup")),
    "203": _builtin(Step("wait", 1.0), Step("say_sound", text="tt-weasels"), Step("wait", 30.0)),
    "204": _builtin(Step("wait", 6.0), Step("hangup")),
    "205": _builtin(Step("wait", 1.0), Step("dtmf", text="45"), Step("wait", 60.0)),
}

AGENT1 = AgentProfile(answer_after=2.0, talk_for=60.0)


def dtmf_seconds(digits: str) -> float:
    """How long SendDTMF takes with the defaults (100 ms tone, 250 ms gap)."""
    return len(digits) * DTMF_TONE + max(0, len(digits) - 1) * DTMF_GAP


def validate_digits(digits: str) -> str:
    if not digits or any(d not in DTMF_DIGITS for d in digits):
        raise ScriptError(f"invalid DTMF digits {digits!r}", "bad-dtmf-digits")
    return digits


def parse_script(raw: object) -> tuple[Step, ...]:
    """Parse the JSON script of POST /_sim/calls into steps."""
    if not isinstance(raw, list):
        raise ScriptError("script must be a list of steps")
    steps: list[Step] = []
    for item in raw:
        if not isinstance(item, dict) or len(item) != 1:
            raise ScriptError(f"each step is an object with one key, not {item!r}")
        ((key, value),) = item.items()
        if key == "wait":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ScriptError(f"wait needs seconds >= 0, not {value!r}")
            steps.append(Step("wait", float(value)))
        elif key == "dtmf":
            steps.append(Step("dtmf", text=validate_digits(str(value))))
        elif key in ("say", "say_sound"):
            if not isinstance(value, str) or not value:
                raise ScriptError(f"{key} needs a non-empty string")
            steps.append(Step(key, text=value))
        elif key == "hangup":
            steps.append(Step("hangup"))
        else:
            raise ScriptError(f"unknown step {key!r}")
    return tuple(steps)


class CallerActions(Protocol):
    """What a running caller script may do to its channel (caller_side.CallerSide)."""

    def caller_dtmf(self, channel_id: str, digits: str) -> float: ...
    def caller_say(self, channel_id: str, step: Step) -> float: ...
    def caller_hangup(self, channel_id: str, who: str) -> None: ...
    def caller_dialplan(
        self,
        channel_id: str,
        priority: int,
        app: str,
        data: str,
        location: tuple[str, str] | None = None,
    ) -> None: ...


class ScriptRunner:
    """Runs one caller's steps on the scheduler, owned by the caller channel's id."""

    def __init__(
        self,
        scheduler: Scheduler,
        actions: CallerActions,
        channel_id: str,
        behaviour: CallerBehaviour,
        location: tuple[str, str] | None = None,
    ) -> None:
        self._location = location  # (context, exten) the script runs at, as Asterisk shows it
        self._scheduler = scheduler
        self._actions = actions
        self._channel_id = channel_id
        self._behaviour = behaviour
        self.started = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            self._run(0)

    def _run(self, index: int) -> None:
        steps = self._behaviour.steps
        if index >= len(steps):
            if self._behaviour.hangup_at_end:
                self._actions.caller_hangup(self._channel_id, "caller")
            return
        step = steps[index]
        app, data = step.application
        self._actions.caller_dialplan(self._channel_id, index + 2, app, data, self._location)
        if step.kind == "hangup":
            self._actions.caller_hangup(self._channel_id, "caller")
            return
        if step.kind == "wait":
            seconds = step.seconds
        elif step.kind == "dtmf":
            seconds = self._actions.caller_dtmf(self._channel_id, step.text)
        else:
            seconds = self._actions.caller_say(self._channel_id, step)
        self._scheduler.later(seconds, self._run, index + 1, owner=self._channel_id)


def agent_profile(
    config: SimulatorConfig, endpoint: str, overrides: Mapping[str, AgentProfile] | None = None
) -> AgentProfile:
    """The profile for a dialled endpoint: runtime, configured, agent1's dialplan, default."""
    if overrides and endpoint in overrides:
        return overrides[endpoint]
    if endpoint in config.agents:
        return config.agents[endpoint]
    if endpoint == f"Local/agent1@{AGENT_CONTEXT}":
        return AGENT1
    return config.default_agent


@dataclass(frozen=True)
class Route:
    """Where a Local channel's `;2` half goes when it runs `<exten>@<context>`."""

    kind: str  # stasis | caller | agent | none
    app: str = ""
    shipped: bool = False  # the project's own dialplan: Stasis(app,${EXTEN}) in ivr101-entry
    behaviour: CallerBehaviour | None = None


def route(config: SimulatorConfig, context: str, exten: str) -> Route:
    if context == CALLER_CONTEXT and exten in config.app_dialplan:
        return Route("stasis", app=config.app_dialplan[exten])
    if context == PSTN_CONTEXT and exten in config.app_dialplan:
        return Route("stasis", app=config.app_dialplan[exten], shipped=True)
    if context == CALLER_CONTEXT and exten in CALLER_EXTENSIONS:
        return Route("caller", behaviour=CALLER_EXTENSIONS[exten])
    if context in (AGENT_CONTEXT, CALLBACK_CONTEXT):
        return Route("agent")  # a callback's caller answers like an agent profile says
    return Route("none")


def parse_caller_id(raw: str) -> tuple[str, str]:
    """`"Test Caller" <07700900123>` -> (name, number), like Asterisk's callerid parser."""
    text = raw.strip()
    if "<" in text and text.endswith(">"):
        name, _, number = text[:-1].partition("<")
        return name.strip().strip('"'), number.strip()
    if text.replace("+", "").isdigit():
        return "", text
    return text.strip('"'), ""


def split_args(raw: str | None) -> list[str]:
    return [] if not raw else raw.split(",")


Callback = Callable[[], None]


def parse_endpoint(endpoint: str) -> tuple[str, str]:
    """`PJSIP/alice` -> ("PJSIP", "alice"); the resource may be empty."""
    tech, _, resource = endpoint.partition("/")
    return tech, resource


def device_name(resource: str) -> str:
    """The device a PJSIP/SIP channel is named after, as chan_pjsip names it.

    `rc-1` -> `rc-1`; `1001@trunk` -> `trunk`; `trunk/sip:1001@10.0.0.5` -> `trunk`:
    the channel is `PJSIP/<endpoint>-<seq>` whatever the dial string around it.
    """
    first = resource.split("/", 1)[0]
    return first.rpartition("@")[2]


def local_parts(resource: str) -> tuple[str, str]:
    """`agent1@ivr-agents/n` -> ("agent1", "ivr-agents")."""
    exten, _, context = resource.partition("@")
    context = context.split("/", 1)[0]
    return exten, context or "default"


def known_techs() -> Sequence[str]:
    return ("Local", "PJSIP", "SIP", "UnicastRTP")
