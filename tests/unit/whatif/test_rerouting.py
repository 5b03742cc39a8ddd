from __future__ import annotations

from ivr.whatif.figures import Fate, QueuedCall
from ivr.whatif.rerouting import moves_for
from ivr.whatif.simulate import OUT


def call(call_id: str, queue: str) -> QueuedCall:
    return QueuedCall(queue, 0.0, Fate.ANSWERED, 10.0, 60.0, call_id)


def test_moved_calls_become_each_queues_shares() -> None:
    calls = [call("a", "rc"), call("b", "rc"), call("c", "rc"), call("d", "rc"), call("e", "fcr")]
    routes = {"a": "fcr", "b": "directory:cid", "c": "rc", "e": "online"}
    moves = moves_for(calls, routes, {"rc", "fcr"})
    # c's decision changed but still sends it to rc: not a move
    assert moves == {"rc": {OUT: 0.25, "fcr": 0.25}, "fcr": {OUT: 1.0}}
