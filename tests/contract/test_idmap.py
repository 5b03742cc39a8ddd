"""How trace ids are mapped to simulator ids and back (the replay's substitution rules)."""

from __future__ import annotations

from tests.contract.idmap import IdMap


def _learned() -> IdMap:
    ids = IdMap()
    ids.learn_from(
        {"id": "1795500638.172", "name": "Local/101@ivr-in-0000003b;1", "state": "Down"},
        {"id": "1764000000.1", "name": "Local/101@ivr-in-00000001;1", "state": "Down"},
    )
    ids.learn_from({"channel": {"id": "1795500638.173"}}, {"channel": {"id": "1764000000.2"}})
    return ids


def test_local_channel_base_name_maps_both_halves() -> None:
    ids = _learned()
    assert ids.to_trace("Local/101@ivr-in-00000001;2") == "Local/101@ivr-in-0000003b;2"
    assert ids.to_sim("Local/101@ivr-in-0000003b;1") == "Local/101@ivr-in-00000001;1"


def test_unique_ids_are_replaced_whole_and_inside_longer_strings() -> None:
    ids = _learned()
    assert ids.to_sim("/ari/channels/1795500638.173/play") == "/ari/channels/1764000000.2/play"
    assert ids.to_trace("channel:1764000000.2") == "channel:1795500638.173"
    assert ids.to_trace("asr-1764000000.1") == "asr-1795500638.172"
    # A longer id that merely starts like a known one is left alone.
    assert ids.to_trace("1764000000.21") == "1764000000.21"


def test_app_chosen_ids_are_never_mapped_or_waited_for() -> None:
    ids = _learned()
    assert ids.unmapped_tokens("/ari/bridges/br-7d0c76d9/addChannel agent-7fdd1040;2") == []
    assert ids.unmapped_tokens("/ari/channels/1795500999.9/answer") == ["1795500999.9"]
    assert ids.to_sim("pb-fe0c9b64") == "pb-fe0c9b64"


def test_external_host_and_rtp_port_mapping() -> None:
    ids = IdMap()
    ids.add("127.0.0.1:36552", "127.0.0.1:40001")
    ids.learn_from(
        {
            "name": "UnicastRTP/127.0.0.1:36552-0x7f2864015ce0",
            "channelvars": {"UNICASTRTP_LOCAL_PORT": "11208"},
        },
        {
            "name": "UnicastRTP/127.0.0.1:40001-0xabc",
            "channelvars": {"UNICASTRTP_LOCAL_PORT": "50000"},
        },
    )
    assert ids.to_trace("127.0.0.1:40001/c(slin)") == "127.0.0.1:36552/c(slin)"
    assert ids.to_trace("UnicastRTP/127.0.0.1:40001-0xabc") == (
        "UnicastRTP/127.0.0.1:36552-0x7f2864015ce0"
    )
    # A port is an exact value: only a whole string equal to it is translated.
    assert ids.translate({"value": "50000"}) == {"value": "11208"}
    assert ids.to_trace("50000x") == "50000x"


def test_contradicting_pairs_are_recorded_not_applied() -> None:
    ids = _learned()
    ids.learn_from({"id": "1795500638.173"}, {"id": "1764000000.9"})
    assert ids.to_sim("1795500638.173") == "1764000000.2"
    assert len(ids.conflicts) == 1
