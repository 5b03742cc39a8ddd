"""Event sequences compared with Asterisk's own races allowed.

Asterisk serialises each channel's (playback's, bridge's) events, but events about
*different* subjects reach the app through different topics: two of them raised in the
same few milliseconds arrive in either order (the real runs showed it: the Dial(``""``)
of an agent's ``;1`` half before or after its ``;2`` half's ChannelDialplan; the two
ChannelConnectedLine of a bridge join; the ``;1`` ChannelDestroyed around the ``;2``
hang-up). Such a swap is the only difference allowed; everything else (a missing or
extra event, a swap within one subject, or across a real gap) is reported.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.contract.compare import event_subject

#: Events of different subjects this close (by the expected side's own timestamps) may swap.
RACE_WINDOW_MS = 3


@dataclass(frozen=True)
class Seen:
    """One event as compared: its one-line summary, what it is about, when it was raised."""

    key: str
    subject: str
    at_ms: int


def seen(event: dict[str, Any], key: str, translate: Callable[[str], str] | None = None) -> Seen:
    """``key`` is the event's summary (`compare.event_key`, ids already translated)."""
    subject = event_subject(event) or str(event.get("type"))
    if event.get("type") == "Dial":
        # Dial events come through the dial's own topic, not the peer channel's: they
        # race with the peer's ChannelStateChange(Ringing) (seen on a real app call).
        subject = f"dial {subject}"
    if event.get("type") == "Dial" and event.get("dialstatus") == "":
        # The peer's snapshot in the first Dial is taken as it starts ringing: a real
        # app call showed it `Ringing` once, `Down` (as traced) other times.
        key = key.replace(" [Ringing];", " [Down|Ringing];").replace(" [Down];", " [Down|Ringing];")
    if translate is not None:
        subject = translate(subject)
    return Seen(key, subject, stamp_ms(event.get("timestamp")))


def stamp_ms(timestamp: Any) -> int:
    """Asterisk's `2026-11-24T06:00:59.786+0000` in ms (0 when absent)."""
    if not isinstance(timestamp, str):
        return 0
    return int(datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def pair_allowing_races(
    expected: list[Seen], got: list[Seen], window_ms: int = RACE_WINDOW_MS
) -> tuple[list[tuple[int, int]] | None, list[str]]:
    """(expected index, got index) pairs and the problems; pairs is None when the two are
    not the same events at all (then the problems are a plain sequence diff)."""
    if sorted(s.key for s in expected) != sorted(s.key for s in got):
        return None, strict_diff(expected, got)
    # The k-th occurrence of a summary on one side is the k-th on the other.
    queues: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(got):
        queues[s.key].append(j)
    position = [queues[s.key].pop(0) for s in expected]
    problems = []
    for i in range(len(expected)):
        for k in range(i + 1, len(expected)):
            if position[i] < position[k]:
                continue
            a, b = expected[i], expected[k]
            if a.subject != b.subject and abs(a.at_ms - b.at_ms) <= window_ms:
                continue  # a race between two topics: either order is real
            same = ", same subject" if a.subject == b.subject else ""
            problems.append(
                f"order: expected {a.key} before {b.key} ({b.at_ms - a.at_ms} ms apart{same}), "
                "got the other order"
            )
    return list(enumerate(position)), problems


def strict_diff(expected: list[Seen], got: list[Seen]) -> list[str]:
    want = [s.key for s in expected]
    have = [s.key for s in got]
    out = []
    matcher = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            out.append(
                f"at event {a0}: expected {' , '.join(want[a0:a1]) or 'nothing'}\n"
                f"      got {' , '.join(have[b0:b1]) or 'nothing'}"
            )
    return out
