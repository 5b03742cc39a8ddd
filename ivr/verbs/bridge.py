"""ring_and_bridge: the one way a caller is put through to a person.

Transfers, the app's queues and callbacks all ring a leg with music, drop it
when it does not answer (or when the caller breaks out or leaves meanwhile),
and on answer bridge it with the call and wait for the conversation to end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ivr.ari.errors import AriError
from ivr.session.events import DigitPressed, LegAnswered, LegFailed, LegHungUp
from ivr.session.session import CallSession


@dataclass(frozen=True)
class Dial:
    """Ring ``endpoint`` from this call."""

    endpoint: str
    ring_timeout: int
    caller_id: str
    agent: str = ""  # an app-run queue's agent, marked in the leg's id (ivr.channel_ids)


@dataclass(frozen=True)
class Follow:
    """A leg a previous process was ringing for this call: waited for, never rung again."""

    leg_id: str
    ring_timeout: int


async def ring(session: CallSession, how: Dial | Follow, destination: str) -> str | None:
    """The answered leg, or None when it failed or rang out (recorded as dial-failed).

    Whatever unwinds it meanwhile (the emergency key, the caller gone) drops the leg
    first; an ARI error dropping it never replaces why we stopped.
    """
    control = session.control
    await control.hold_music(True)
    if isinstance(how, Follow):
        leg_id = how.leg_id
        await control.follow_leg(leg_id)
        session.record("dial-followed", destination=destination, leg=leg_id)
    else:
        try:
            leg_id = await control.dial(
                how.endpoint, timeout=how.ring_timeout, caller_id=how.caller_id, agent=how.agent
            )
        except BaseException:
            await control.hold_music(False)  # whatever comes next must be heard
            raise
    answered = False
    try:
        answered, status = await await_answer(session, leg_id, how.ring_timeout)
    finally:
        if not answered:
            with contextlib.suppress(AriError):
                await control.drop_leg(leg_id)
    if not answered:
        session.record("dial-failed", destination=destination, status=status)
        return None
    return leg_id


async def bridge(session: CallSession, leg_id: str, destination: str, **detail: Any) -> None:
    """Bridge an answered leg with the call; when the person hangs up, the call ends.

    What the caller says to a person is not ours to hear: listening stops first.
    """
    control = session.control
    try:
        await control.hold_music(False)
        await control.stop_listening()
        await control.connect(leg_id)
    except BaseException:
        # Answered but never bridged (an operator's move, a shutdown, ARI refused): the
        # person who answered must not be left on a line with nobody.
        with contextlib.suppress(AriError):
            await control.drop_leg(leg_id)
        raise
    session.connected(leg_id, destination)
    session.record("connected", destination=destination, leg=leg_id, **detail)
    await await_end(session, leg_id)
    # Not in a finally: a call still talking when the app shuts down keeps its leg, so
    # the session detaches it rather than handing it back.
    session.disconnected()
    session.record("agent-hung-up", destination=destination)
    await control.hangup()


async def ring_and_bridge(
    session: CallSession,
    how: Dial | Follow,
    destination: str,
    *,
    answered: Callable[[], None] | None = None,
    **detail: Any,
) -> bool:
    """Ring, and on answer bridge until the conversation ends; False when nobody answered.

    ``answered``: told the moment the leg answers, before the bridge (a queue stops
    counting the caller as waiting). ``detail``: kept in the "connected" record.
    """
    leg_id = await ring(session, how, destination)
    if leg_id is None:
        return False
    if answered is not None:
        answered()
    await bridge(session, leg_id, destination, **detail)
    return True


async def await_answer(session: CallSession, leg_id: str, ring_timeout: int) -> tuple[bool, str]:
    """Wait for a dialled leg to answer or fail; (answered, status).

    The emergency key while it rings breaks out (``ring`` drops the leg).
    """
    loop = asyncio.get_running_loop()
    # A little beyond Asterisk's own dial timeout, in case its events were lost.
    deadline = loop.time() + ring_timeout + 5
    while (remaining := deadline - loop.time()) > 0:
        event = await session.wait(remaining)
        if isinstance(event, LegAnswered) and event.leg_id == leg_id:
            return True, "ANSWER"
        if isinstance(event, LegFailed | LegHungUp) and event.leg_id == leg_id:
            return False, getattr(event, "status", "HANGUP")
        if isinstance(event, DigitPressed):
            session.record("dtmf", digit=event.digit, during="ringing")
            session.keyed_emergency(event.digit)
    return False, "TIMEOUT"


async def await_end(session: CallSession, leg_id: str) -> None:
    """Wait until the connected leg hangs up (the caller hanging up raises CallerGone)."""
    while True:
        event = await session.wait()
        if isinstance(event, LegHungUp | LegFailed) and event.leg_id == leg_id:
            return
