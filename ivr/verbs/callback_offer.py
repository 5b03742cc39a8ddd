"""Booking a callback that keeps the caller's place: confirm the number, then store it.

The number is read back for a yes / no (key or word); a number that cannot take a
call back (withheld, not a UK number) or a "no" asks for it on the keypad. Only
once the ``CallbackDesk`` has stored the callback is the caller thanked (by the
queue); a failure to store it keeps them in the queue, never loses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ivr.notify.numbers import InvalidNumber, normalise_uk_callback
from ivr.queues.model import QueueEntry
from ivr.session.session import CallSession
from ivr.verbs.ask import Question
from ivr.verbs.basic import Play
from ivr.verbs.route import choose, spoken_yes_no

CALLBACK_NUMBER_DIGITS = 11  # a UK number: 0 and ten digits (07700 900123)


class CallbackDesk(Protocol):
    """Takes a callback: keeps the place, persists it, says by when (ivr.queues.callbacks)."""

    async def accept(self, call_id: str, number: str) -> QueueEntry: ...

    async def withdraw(self, call_id: str, reason: str) -> bool:
        """Take a booked callback back (place, book, attempts); False when none was open."""
        ...


async def wants_callback(session: CallSession, first_digit_timeout: float) -> tuple[bool, str]:
    """ "Would you like us to call you back?": one asking, by key or word; (yes, how)."""
    key, how = await choose(
        session,
        [session.prompts.media_uri("callback_offer")],
        {"1", "2"},
        spoken_yes_no,
        first_digit_timeout,
        tries=1,
    )
    return key == "1", how


async def book_callback(
    session: CallSession,
    desk: CallbackDesk,
    clock: Callable[[], float],
    max_attempts: int,
    first_digit_timeout: float,
) -> int | None:
    """The minutes within which they will be called, once stored; None: not booked (the
    caller was told they keep their place)."""
    number = await confirm_number(session, first_digit_timeout)
    if number is None:
        session.record("callback-number-unconfirmed")
        await Play(["callback_stay"]).run(session)
        return None
    try:
        entry = await desk.accept(session.call_id, number)
    except Exception as exc:  # the place is kept in the queue either way
        session.record("callback-store-failed", error=type(exc).__name__, message=str(exc))
        await Play(["callback_stay"]).run(session)
        return None
    assert entry.callback is not None
    minutes = max(1, round((entry.callback.promised_by - clock()) / 60))
    session.record(
        "callback-accepted",
        queue=entry.queue,
        promised_in_min=minutes,
        attempts_left=max_attempts,
    )
    return minutes


async def confirm_number(session: CallSession, first_digit_timeout: float) -> str | None:
    """The number to call back, confirmed by the caller; None when they could not give one."""
    uri = session.prompts.media_uri
    try:
        number: str | None = normalise_uk_callback(session.info.caller_number)
    except InvalidNumber:
        number = None
    for _ in range(2):
        if number is not None:
            session.record("callback-number-asked")
            key, _how = await choose(
                session,
                [uri("callback_number_is"), f"digits:{number}", uri("callback_number_check")],
                {"1", "2"},
                spoken_yes_no,
                first_digit_timeout,
                tries=2,
            )
            if key == "1":
                return number
            if key is None:
                return None
        session.keys.clear()
        answer = await Question(
            ["callback_enter_number"],
            max_digits=CALLBACK_NUMBER_DIGITS,
            first_digit_timeout=first_digit_timeout * 2,
            speech=False,
        ).ask(session)
        try:
            number = normalise_uk_callback(answer.digits or "")
        except InvalidNumber as exc:
            session.record("callback-number-invalid", reason=str(exc))
            await Play(["invalid_choice"]).run(session)
            number = None
    return None
