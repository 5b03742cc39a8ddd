"""``ivr demo``: the embedded default — simulator + app in one process.

Places scripted sample calls (each a caller who reacts at the moments a
real caller would, from the prompts' real durations), waits for them to
finish, prints what happened to each from the call database, then keeps
serving until Ctrl-C (or exits, with ``--exit``).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ivr.console.identity import Role, Skill
from ivr.console.people import add_person, disable_person, new_password
from ivr.embedded import WEEKDAY_MORNING, Embedded, embedded, prompt_seconds
from ivr.queues.settings import AgentSpec
from ivr.shipped import DEMO_CALLERS
from ivr.simulator import AgentProfile, TalkFrom

CALLERS = DEMO_CALLERS  # recorded (synthesised) callers who talk


@dataclass(frozen=True)
class SampleCall:
    title: str
    caller_number: str
    script: list[dict[str, Any]]
    expect_outcome: str
    expect_destination: str = ""


@dataclass
class DemoResult:
    sample: SampleCall
    call_id: str
    row: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.row.get("outcome") == self.sample.expect_outcome
            and (self.row.get("destination") or "") == self.sample.expect_destination
        )


def sample_calls(seconds: Callable[[str], float] = prompt_seconds) -> list[SampleCall]:
    """Callers who act at moments measured from the prompts they hear."""
    welcome = seconds("welcome")
    in_menu = welcome + 2.0
    return [
        SampleCall(
            "past crime: keys 1",
            "07700900101",
            [{"wait": in_menu}, {"dtmf": "1"}],
            "transferred",
            "rc",
        ),
        SampleCall(
            "incident: keys 2",
            "07700900102",
            [{"wait": in_menu}, {"dtmf": "2"}],
            "transferred",
            "fcr",
        ),
        SampleCall(
            "emergency: keys 9 over the welcome",
            "07700900103",
            [{"wait": 2.0}, {"dtmf": "9"}],
            "transferred",
            "emergency",
        ),
        SampleCall(
            "hangs up during the welcome",
            "07700900104",
            [{"wait": 2.0}, {"hangup": True}],
            "abandoned",
        ),
        SampleCall(
            "online: keys 5, takes the link by text",
            "07700900105",
            [
                {"wait": in_menu},
                {"dtmf": "5"},
                {"wait": seconds("online_sms_offer")},
                {"dtmf": "1"},
            ],
            "deflected",
            "online",
        ),
        SampleCall(
            "wrong key, then 0",
            "07700900106",
            [
                {"wait": in_menu},
                {"dtmf": "7"},
                {"wait": seconds("invalid_choice") + 2.0},
                {"dtmf": "0"},
            ],
            "transferred",
            "switchboard",
        ),
        SampleCall(
            "says 'firearms licensing'",
            "07700900108",
            [{"wait": in_menu}, {"say": str(CALLERS / "firearms_licensing.wav")}],
            "transferred",
            "directory:firearms-licensing",
        ),
        SampleCall(
            "says 'David Johnson' (a name)",
            "07700900109",
            [{"wait": in_menu}, {"say": str(CALLERS / "david_johnson.wav")}],
            "transferred",
            "directory:david-johnson",
        ),
        SampleCall(
            "says nothing: a person after the reprompt",
            "07700900107",
            [],
            "transferred",
            "switchboard",
        ),
        SampleCall(
            "keys 2, queues behind the incident, asks for a callback",
            "07700900110",
            [
                {"wait": in_menu + 1.0},  # just behind "incident: keys 2" in the FCR queue
                {"dtmf": "2"},
                {"wait": seconds("transfer_fcr") + seconds("queue_position") + 8.0},
                {"dtmf": "1"},  # 1 at any time on hold: call me back
                {"wait": seconds("callback_number_is") + 1.0},
                {"dtmf": "1"},  # yes, this number
            ],
            "callback",
            "fcr",
        ),
    ]


# The demo's queues are run by the app: one Resolution Centre call-taker, one FCR
# call-taker (on a long call, so the callback sample queues behind the incident), two
# switchboard operators. `[agents]` in ivr.toml does the same against Asterisk.
DEMO_AGENTS = {
    "rc-1": AgentSpec("PJSIP/rc-1", ("rc",)),
    "fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr",)),
    "sb-1": AgentSpec("PJSIP/sb-1", ("switchboard",)),
    "sb-2": AgentSpec("PJSIP/sb-2", ("switchboard",)),
}
DEMO_AGENT_PROFILES = {
    "PJSIP/fcr-1": AgentProfile(answer_after=2.0, talk_for=40.0, talk_from=TalkFrom.BRIDGED)
}

# The sample callers act at times from the start of their call (2 s is the smallest gap);
# simulated time runs --speed times faster, the app's own replies do not. At 100 a gap is
# 20 ms, still more than the app needs to answer a key under the load of 50 calls (agents
# talk from when they are bridged: TalkFrom.BRIDGED). Faster, callers outrun the app.
MAX_SPEED = 100.0
# How long the demo waits for its calls, beyond the scripts' own time: queue timers run
# in real time (an rc agent wraps up for 90 s), so a caller several places back waits.
REAL_SECONDS_PER_CALL = 20.0
PROGRESS_EVERY_S = 15.0
TEXTS_TIMEOUT_S = 10.0  # the stand-in provider answers at once; a retry waits its backoff

# The demo's calls happen on a weekday morning, when every team is open, whatever the
# real time; `ivr demo --at` moves them (e.g. a Sunday night shows the out-of-hours rules).
DEMO_START = WEEKDAY_MORNING
# The console's people for one run: disabled when it ends, new passwords every run.
DEMO_PEOPLE = (("demo-operator", Role.OPERATOR), ("demo-admin", Role.ADMIN))
DEMO_SKILLS = {"demo-operator": (Skill.CHAT,)}  # the chat desk (when [chat] is on)
DEMO_PHONE = "PJSIP/demo-operator"  # "take to my phone" rings the simulator's agent
DEMO_BY = "ivr-demo"


async def run_demo(
    *,
    calls: int,
    exit_after: bool,
    speed: float,
    db_path: str | None,
    start: datetime = DEMO_START,
    out: TextIO = sys.stdout,
) -> int:
    """``db_path`` None: a fresh database, deleted afterwards, so runs do not build history
    (a second run's callers would be repeat callers, its totals include the first's)."""
    with tempfile.TemporaryDirectory(prefix="ivr-demo-") as scratch:
        fresh = db_path is None
        db = str(Path(scratch) / "demo.db") if db_path is None else db_path
        print(
            f"call log: {db}"
            + (" (fresh for this run; --db FILE keeps one across runs)" if fresh else ""),
            file=out,
        )
        return await _run_demo(calls, exit_after, speed, db, start, out)


async def _run_demo(
    calls: int, exit_after: bool, speed: float, db_path: str, start: datetime, out: TextIO
) -> int:
    async with embedded(
        speed=speed,
        db_path=db_path,
        start=start,
        # Live chat on: sign in as demo-operator at /desk/chat and online callers are
        # offered chat (texted links open on this machine).
        settings={
            "queues.agents": DEMO_AGENTS,
            "chat.enabled": True,
            "chat.secret": secrets.token_urlsafe(32),
        },
        agents=DEMO_AGENT_PROFILES,
    ) as stack:
        people = await _demo_people(db_path)
        try:
            return await _demo_calls(stack, calls, exit_after, speed, start, people, out)
        finally:
            for name in people:
                await asyncio.to_thread(disable_person, db_path, name, by=DEMO_BY)


async def _demo_people(db_path: str) -> dict[str, str]:
    """A demo operator and admin for this run only (disabled when it ends): name -> password."""
    people = {}
    for name, role in DEMO_PEOPLE:
        password = new_password()
        await asyncio.to_thread(
            add_person,
            db_path,
            name,
            role,
            password,
            by=DEMO_BY,
            phone=DEMO_PHONE,
            skills=DEMO_SKILLS.get(name, ()),
        )
        people[name] = password
    return people


async def _demo_calls(
    stack: Embedded,
    calls: int,
    exit_after: bool,
    speed: float,
    start: datetime,
    people: dict[str, str],
    out: TextIO,
) -> int:
    signs_in = " or ".join(f"{name} / {password}" for name, password in people.items())
    print(
        f"switchboard console: {stack.app_url}/ (sign in as {signs_in}; this run only)",
        file=out,
    )
    print(f"live chat desk: {stack.app_url}/desk/chat (demo-operator)", file=out)
    if not await stack.wait_speech_ready(120.0):
        print("speech engine not ready: spoken calls will be asked again on the keypad", file=out)
    samples = sample_calls()
    chosen = [samples[i % len(samples)] for i in range(calls)]
    print(
        f"simulator ARI on {stack.base}/ari; placing {len(chosen)} calls "
        f"as of {start:%a %d %b %Y %H:%M %Z} (--at to change)",
        file=out,
    )
    results = [
        DemoResult(s, await stack.place(s.script, s.caller_number, "Demo Caller")) for s in chosen
    ]
    # Simulated time runs --speed times faster; the app's own queue timers (wrap-up,
    # away, announcements) do not, so callers behind others wait real seconds.
    await _wait_for_calls(
        stack,
        [r.call_id for r in results],
        timeout=300.0 / speed + 60 + REAL_SECONDS_PER_CALL * len(results),
        out=out,
    )
    rows = await stack.runtime.call_log.query(
        lambda store: {r["call_id"]: r for r in store.recent_calls(10_000)}
    )
    for result in results:
        result.row = rows.get(result.call_id) or {}
    print(format_table(results), file=out)
    callbacks = [r.call_id for r in results if r.row.get("outcome") == "callback"]
    if callbacks:
        print(f"waiting for {len(callbacks)} callback(s) to be placed ...", file=out)
        for line in await _callbacks_placed(stack.runtime, callbacks, timeout=120.0):
            print(line, file=out)
    await stack.texts_settled([r.call_id for r in results], timeout=TEXTS_TIMEOUT_S)
    async with stack.http.get(f"{stack.base}/_sim/sms") as resp:
        texts = await resp.json()
    call_ids = [r.call_id for r in results]
    kinds = await stack.runtime.call_log.query(lambda store: _sms_kinds(store, call_ids))
    print(f"texts sent to the simulated SMS provider: {len(texts)} ({kinds})", file=out)
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} of {len(results)} calls completed as expected", file=out)
    if exit_after:
        return 1 if failed else 0
    print(f"serving the console at {stack.app_url}/ (Ctrl-C to stop)", file=out)
    await asyncio.Event().wait()
    return 0


async def _callbacks_placed(runtime: Any, call_ids: list[str], timeout: float) -> list[str]:
    """One line per callback once it is done or failed (or still open at the timeout)."""
    book = runtime.callbacks.book
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    rows: list[Any] = []
    while loop.time() < deadline:
        rows = [await book.run(lambda s, c=c: s.get(c)) for c in call_ids]
        if all(r is not None and r["state"] in ("done", "failed") for r in rows):
            break
        await asyncio.sleep(0.5)
    lines = []
    for call_id, row in zip(call_ids, rows, strict=True):
        attempts = await book.run(lambda s, c=call_id: s.attempts(c))
        tried = ", ".join(f"{a['attempt']}: {a['outcome'] or 'ringing'}" for a in attempts)
        state = row["state"] if row is not None else "missing"
        lines.append(f"  callback for {call_id}: {state} (attempts {tried or 'none yet'})")
    return lines


def _sms_kinds(store: Any, call_ids: list[str]) -> str:
    """Texts about this run's calls only (an older run's, in the same --db, are not counted)."""
    marks = ",".join("?" * len(call_ids))
    rows = store.db.execute(
        f"SELECT kind, COUNT(*) FROM sms_outbox WHERE call_id IN ({marks})"
        " GROUP BY kind ORDER BY kind",
        call_ids,
    )
    return ", ".join(f"{kind} {count}" for kind, count in rows) or "none"


async def _wait_for_calls(
    stack: Embedded, call_ids: list[str], timeout: float, out: TextIO
) -> None:
    def progress(open_calls: int) -> None:
        print(
            f"waiting for {open_calls} call(s) still in progress (queues' wrap-up and"
            " away times run in real time, whatever --speed) ...",
            file=out,
            flush=True,
        )

    await stack.calls_ended(call_ids, timeout, progress, every=PROGRESS_EVERY_S)


def format_table(results: list[DemoResult]) -> str:
    headers = ("#", "caller", "scenario", "destination", "outcome", "last step", "secs", "ok")
    rows = [
        (
            str(i),
            r.sample.caller_number,
            r.sample.title,
            r.row.get("destination") or "-",
            r.row.get("outcome") or "?",
            r.row.get("last_step") or "?",
            f"{r.row.get('duration_s') or 0:.1f}",
            "yes"
            if r.ok
            else f"NO (wanted {r.sample.expect_outcome} {r.sample.expect_destination})".strip(),
        )
        for i, r in enumerate(results, 1)
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main_demo(
    calls: int, exit_after: bool, speed: float, db_path: str | None, start: datetime = DEMO_START
) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(
            run_demo(calls=calls, exit_after=exit_after, speed=speed, db_path=db_path, start=start)
        )
    return 0
