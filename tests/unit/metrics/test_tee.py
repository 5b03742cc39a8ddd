"""The tee counts what a call's records say, and passes every record on unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr.decisions import Decision
from ivr.metrics.instruments import IvrMetrics
from ivr.metrics.tee import MetricsCallLog
from ivr.routing.danger_check import DangerDoubt, ask_first
from tests.fakes import MemoryCallLog
from tests.unit.metrics.scrape import scrape, value

T0 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def queue_call(log: MetricsCallLog, call_id: str, *, answered: bool) -> None:
    """The records a menu call that queues for the FCR writes (as the verbs write them)."""
    log.call_started({"call_id": call_id, "channel_id": call_id, "caller_number": "07700900123"})
    log.event(call_id, at(0), "step", {"step": "route:menu"})
    log.event(
        call_id, at(3), "speech", {"confidence": 0.82, "engine": "whisper", "text": "burglary"}
    )
    log.decision(call_id, at(3), Decision("route", "fcr", rule="intent-route", reason="burglary"))
    log.event(call_id, at(4), "queue-joined", {"queue": "fcr", "position": 1})
    if answered:
        # the agent is dialled after 40 s in the queue and answers 5 s later: 45 s to answer
        log.event(call_id, at(44), "dial", {"destination": "fcr", "agent": "a1", "waited_s": 40.0})
        log.event(call_id, at(49), "connected", {"destination": "fcr", "leg": "leg-1"})
        log.event(call_id, at(200), "ended", {"outcome": "transferred"})
    else:
        log.event(call_id, at(94), "queue-abandoned", {"queue": "fcr", "waited_s": 90.0})
        log.event(call_id, at(94), "ended", {"outcome": "abandoned"})


def test_a_calls_records_move_the_counters() -> None:
    metrics = IvrMetrics()
    inner = MemoryCallLog()
    log = MetricsCallLog(inner, metrics)
    queue_call(log, "c1", answered=True)
    queue_call(log, "c2", answered=False)
    got = scrape(metrics.registry)
    decided = {"action": "route", "destination": "fcr", "rule": "intent-route"}
    assert value(got, "ivr_decisions_total", **decided) == 2
    assert value(got, "ivr_asr_confidence_count", engine="whisper") == 2
    assert value(got, "ivr_asr_confidence_bucket", engine="whisper", le="0.8") == 0
    assert value(got, "ivr_asr_confidence_bucket", engine="whisper", le="0.9") == 2
    # the answered caller: 45 s, ring time included
    assert value(got, "ivr_queue_answer_wait_seconds_count", queue="fcr") == 1
    assert value(got, "ivr_queue_answer_wait_seconds_sum", queue="fcr") == 45.0
    assert value(got, "ivr_queue_answer_wait_seconds_bucket", queue="fcr", le="30.0") == 0
    assert value(got, "ivr_queue_answer_wait_seconds_bucket", queue="fcr", le="60.0") == 1
    assert value(got, "ivr_queue_abandoned_wait_seconds_sum", queue="fcr") == 90.0
    assert value(got, "ivr_calls_ended_total", outcome="transferred") == 1
    assert value(got, "ivr_calls_ended_total", outcome="abandoned") == 1
    # everything reached the real log, unchanged
    assert [k for c, k, _ in inner.events if c == "c1"] == [
        "step",
        "speech",
        "queue-joined",
        "dial",
        "connected",
        "ended",
    ]
    assert len(inner.decisions) == 2 and inner.rows["c1"]["caller_number"] == "07700900123"


def test_a_dial_nobody_answered_does_not_count_and_the_next_one_does() -> None:
    metrics = IvrMetrics()
    log = MetricsCallLog(MemoryCallLog(), metrics)
    log.event("c1", at(10), "dial", {"destination": "fcr", "agent": "a1", "waited_s": 10.0})
    log.event("c1", at(30), "dial-failed", {"destination": "fcr", "status": "TIMEOUT"})
    log.event("c1", at(31), "dial", {"destination": "fcr", "agent": "a2", "waited_s": 31.0})
    log.event("c1", at(33), "connected", {"destination": "fcr", "leg": "leg-2"})
    got = scrape(metrics.registry)
    assert value(got, "ivr_queue_answer_wait_seconds_count", queue="fcr") == 1
    assert value(got, "ivr_queue_answer_wait_seconds_sum", queue="fcr") == 33.0


def test_a_transfer_without_a_queue_is_no_queue_answer() -> None:
    metrics = IvrMetrics()
    log = MetricsCallLog(MemoryCallLog(), metrics)
    log.event("c1", at(1), "dial", {"destination": "switchboard", "endpoint": "Local/sb"})
    log.event("c1", at(5), "connected", {"destination": "switchboard", "leg": "leg-1"})
    got = scrape(metrics.registry)
    assert value(got, "ivr_queue_answer_wait_seconds_count", queue="switchboard") is None


def test_no_personal_data_reaches_a_label() -> None:
    metrics = IvrMetrics()
    log = MetricsCallLog(MemoryCallLog(), metrics)
    moved = Decision("route", "directory:07700900123", rule="operator-move", reason="moved")
    log.decision("c1", at(1), moved)
    log.event("c1", at(2), "speech", {"confidence": 0.5, "engine": "my name is Jo Bloggs"})
    text = " ".join(f"{name} {labels}" for (name, labels) in scrape(metrics.registry))
    assert "07700900123" not in text and "Bloggs" not in text
    got = scrape(metrics.registry)
    # a directory entry is a person: the label is its route category
    directory = {"action": "route", "destination": "directory", "rule": "operator-move"}
    assert value(got, "ivr_decisions_total", **directory) == 1
    assert value(got, "ivr_asr_confidence_count", engine="other") == 1


def test_a_record_it_cannot_read_is_skipped_never_raised_into_the_call() -> None:
    metrics = IvrMetrics()
    inner = MemoryCallLog()
    log = MetricsCallLog(inner, metrics)
    log.event("c1", at(1), "speech", {"confidence": "loud", "engine": "whisper"})
    log.event("c1", at(2), "queue-abandoned", {"queue": "fcr", "waited_s": "long"})
    assert inner.kinds() == ["speech", "queue-abandoned"]
    assert value(scrape(metrics.registry), "ivr_asr_confidence_count", engine="whisper") is None


def test_a_person_in_the_directory_is_never_a_label_only_the_route_category() -> None:
    metrics = IvrMetrics()
    log = MetricsCallLog(MemoryCallLog(), metrics)
    for n, destination in enumerate(("directory:jane-smith", "directory:pc-jones", "rc")):
        log.decision(f"c{n}", at(1), Decision("route", destination, rule="ask-name", reason=""))
    got = scrape(metrics.registry)
    text = " ".join(f"{labels}" for (_, labels) in got)
    assert "smith" not in text and "jones" not in text
    asked = {"action": "route", "rule": "ask-name"}
    assert value(got, "ivr_decisions_total", destination="directory", **asked) == 2
    assert value(got, "ivr_decisions_total", destination="rc", **asked) == 1


def test_service_level_counts_offered_places_and_answers_within_the_target() -> None:
    metrics = IvrMetrics(target_s=30.0)
    log = MetricsCallLog(MemoryCallLog(), metrics)
    queue_call(log, "c1", answered=True)  # answered after 45 s: outside 30 s
    queue_call(log, "c2", answered=False)
    log.event("c3", at(0), "queue-joined", {"queue": "fcr", "position": 1})
    log.event("c3", at(5), "dial", {"destination": "fcr", "agent": "a1", "waited_s": 5.0})
    log.event("c3", at(10), "connected", {"destination": "fcr", "leg": "leg-1"})
    got = scrape(metrics.registry)
    assert value(got, "ivr_queue_offered_total", queue="fcr") == 3
    assert value(got, "ivr_queue_answered_in_target_total", queue="fcr") == 1
    assert value(got, "ivr_queue_answer_target_seconds") == 30.0


def test_a_danger_check_and_its_yes_count_one_emergency_not_two() -> None:
    """The check asks (destination label danger-check); only its answer goes anywhere."""
    metrics = IvrMetrics()
    log = MetricsCallLog(MemoryCallLog(), metrics)
    doubt = DangerDoubt("past-emergency-cue", "a threat last week", {}, "emergency")
    for call_id, danger in (("c1", True), ("c2", False)):
        check = ask_first(doubt, Decision("route", "rc", rule="intent", reason="crime"))
        log.decision(call_id, at(3), check)
        log.decision(call_id, at(9), check.answered(danger, "key 9" if danger else "key 2"))
    got = scrape(metrics.registry)
    asked = {"action": "confirm", "destination": "danger-check", "rule": "danger-check"}
    assert value(got, "ivr_decisions_total", **asked) == 2
    emergencies = [
        v
        for (name, labels), v in got.items()
        if name == "ivr_decisions_total" and ("destination", "emergency") in labels
    ]
    assert emergencies == [1.0]
    assert value(got, "ivr_decisions_total", action="route", destination="rc", rule="intent") == 1
