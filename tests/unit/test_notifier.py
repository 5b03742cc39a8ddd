"""Notifier: every watcher waiting is told at the next notice, once; later watchers wait again."""

from __future__ import annotations

from ivr.notifier import Notifier


async def test_every_watcher_is_told_at_the_next_notice_and_only_then() -> None:
    notifier = Notifier()
    first, second = notifier.next(), notifier.next()
    assert not first.done() and not second.done()
    notifier.notify()
    assert first.done() and second.done()
    later = notifier.next()
    assert not later.done()  # a notice before it was asked for does not count
    notifier.notify()
    assert later.done()


async def test_a_watcher_that_gave_up_does_not_stop_the_others() -> None:
    notifier = Notifier()
    gave_up, waiting = notifier.next(), notifier.next()
    gave_up.cancel()
    notifier.notify()
    assert gave_up.cancelled()
    await waiting  # resolved, not left waiting
