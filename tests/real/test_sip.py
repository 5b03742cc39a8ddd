"""A caller over real SIP (SIPp, RTP from a pcap) through Asterisk's PJSIP and the app.

SIPp dials 101 at the from-pstn endpoint `sipload` (tests/real/conf/sipload/), keys 1 as
an RFC 4733 event once the welcome has started, and stays on the line; the app's desks
are the load agents (tests/real/conf/sipload/extensions.conf), who answer, talk and
hang up, so the app hangs up the caller and SIPp sees the BYE.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.sipp.run import CallerKind, SippLoad, SippTally, prepare, sipp_binary
from ivr.embedded import AppWatch
from tests.real.app import DESKS, real_app
from tests.real.asterisk import RealAsterisk

LOAD_AGENTS = {desk: f"Local/{desk}@load-agents" for desk in DESKS}
CALL_TIMEOUT_S = 60


async def only_call_id(app: AppWatch) -> str:
    """The id of the one call the app has logged (a SIP channel's id is Asterisk's)."""

    async def logged() -> str | None:
        rows = await app.runtime.call_log.query(
            lambda s: s.db.execute("SELECT call_id FROM calls").fetchall()
        )
        return str(rows[0][0]) if rows else None

    return await app.until(logged, CALL_TIMEOUT_S, "no call from SIPp")


async def test_a_sip_caller_who_keys_1_is_put_through_to_the_resolution_centre(
    asterisk: RealAsterisk, db_path: str, tmp_path: Path
) -> None:
    prepare(tmp_path)
    load = SippLoad(CallerKind.KEYPAD, calls=1, rate=1, limit=1, timeout_s=CALL_TIMEOUT_S)
    command = load.command(
        sipp_binary(asterisk.folder.home), tmp_path, asterisk.folder.sip_port, "one"
    )
    async with real_app(asterisk, db_path, {"flow.destinations": LOAD_AGENTS}) as app:
        sipp = await asyncio.create_subprocess_exec(
            *command,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        call_id = await only_call_id(app)
        row = await app.call_row(call_id, timeout=CALL_TIMEOUT_S)
        events = await app.events(call_id)
        _, stderr = await sipp.communicate()
    keyed = [e["detail"]["digit"] for e in events if e["kind"] == "dtmf"]
    assert keyed == ["1"]  # the app heard the RFC 4733 event, once
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")
    kinds = [e["kind"] for e in events]
    assert kinds.index("connected") < kinds.index("agent-hung-up")  # so the app hung up
    tally = SippTally.read(tmp_path / "one.csv")
    assert (tally.successful, tally.failed, sipp.returncode) == (1, 0, 0), stderr.decode()
    assert asterisk.active_channels() == 0
