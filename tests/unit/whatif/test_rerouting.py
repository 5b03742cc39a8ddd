from __future__ import annotations

from ivr.replay.model import Verdict
from ivr.whatif.figures import Fate, QueuedCall
from ivr.whatif.rerouting import moves_for, where_it_goes
from ivr.whatif.simulate import OUT


def call(call_id: str, queue: str) -> QueuedCall:
    return QueuedCall(queue, 0.0, Fate.ANSWERED, 10.0, 60.0, call_id)


def test_moved_calls_become_each_queues_shares() -> None:
    calls = [call("a", "rc"), call("b", "rc"), call("c", "rc"), call("d", "rc"), call("e", "fcr")]
    routes = {"a": "fcr", "b": "directory:cid", "c": "rc", "e": "online"}
    moves = moves_for(calls, routes, {"rc", "fcr"})
    # c's decision changed but still sends it to rc: not a move
    assert moves == {"rc": {OUT: 0.25, "fcr": 0.25}, "fcr": {OUT: 1.0}}


def test_a_danger_check_moves_a_queued_caller_where_their_no_sends_them() -> None:
    no = Verdict("route", "rc", "intent", "")
    check = Verdict("confirm", "emergency", "danger-check", "", otherwise=no)
    assert where_it_goes(check) == "rc"


def test_a_danger_check_whose_no_is_asked_again_leaves_the_caller_where_they_went() -> None:
    no = Verdict("confirm", "fcr", "intent-confirm", "")
    check = Verdict("confirm", "emergency", "danger-check", "", otherwise=no)
    assert where_it_goes(check) is None
    assert where_it_goes(Verdict("reprompt", "", "no-match", "")) is None
    assert where_it_goes(Verdict("route", "fcr", "intent", "")) == "fcr"
