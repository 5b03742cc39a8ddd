"""What the queue says about the wait: honest figures, or none when they are unknown."""

from __future__ import annotations

from collections.abc import Callable

from ivr.queues.estimator import Estimate


def wait_media(estimate: Estimate, media_uri: Callable[[str], str]) -> list[str]:
    """The spoken wait: 'about 6 to 9 minutes', 'less than a minute', or no figure at all."""
    if not estimate.known:
        return [media_uri("queue_wait_unknown")]
    if estimate.high < 60:
        return [media_uri("queue_wait_short")]
    lo, hi = estimate.minutes_range()
    if lo == hi or lo == 0:
        return [media_uri("queue_wait_up_to"), f"number:{hi}", media_uri("minutes")]
    return [
        media_uri("queue_wait_about"),
        f"number:{lo}",
        media_uri("queue_to"),
        f"number:{hi}",
        media_uri("minutes"),
    ]
