"""What a Decision did for a caller with a known need, and the figures over a set.

Scored as the caller lives it, so the same rules serve text and speech:

* **right**: routed to an accepted destination (``expect`` or ``also``), or asked
  about one first (a confirm, or a disambiguation whose first offer is one): the
  caller then says "yes";
* **silent misroute**: routed, without a question, somewhere not accepted: the
  worst miss, nobody notices until a person picks up in the wrong queue;
* **wrong offer**: a confirm/disambiguation whose first offer is not accepted (the
  caller can say no, so it costs a question, not a misroute);
* **reprompt**: asked again (including a confirm with nothing to offer, which the
  flow turns into a reprompt).

A **danger check** ("if someone is in danger right now, press 9 or say yes") is asked
before the decision's ``otherwise``: an emergency caller says yes and reaches 999
handling (right, but one question later); anyone else says no and is scored on
``otherwise`` as above. Each check is counted, apart, so the question's cost shows.

Orthogonal to those: an **emergency miss** (expected emergency, and neither routed
nor first offered to emergency) and a **false emergency** (routed or first offered
to emergency when emergency is not accepted: a 999 script for a 101 caller).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bench.heldout_sets import Request, RequestSet
from ivr.decisions import DIRECTORY_PREFIX, EMERGENCY, Decision


class Outcome(StrEnum):
    RIGHT = "right"
    MISROUTE = "silent misroute"
    WRONG_OFFER = "wrong offer"
    REPROMPT = "reprompt"


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    landed: str | None  # where the call goes, or what the caller is asked about first
    emergency_miss: bool = False
    false_emergency: bool = False
    checked: bool = False  # a danger check was asked first

    @property
    def right(self) -> bool:
        return self.outcome is Outcome.RIGHT


def first_offer(decision: Decision) -> str | None:
    """What a confirm or disambiguation asks about first, as the flow plans it.

    ivr.flows.builder: a confirm asks about ``candidates[0]``; a disambiguation offers
    the candidates the engine chose (``evidence["choices"]``), in candidate order.
    """
    if not decision.candidates:
        return None
    if decision.action == "disambiguate":
        chosen = set(decision.evidence.get("choices") or ())
        offered = [c for c in decision.candidates if c.destination in chosen]
        return (offered or list(decision.candidates))[0].destination
    return decision.candidates[0].destination


def judge(decision: Decision, expect: str, also: Collection[str] = ()) -> Verdict:
    if decision.is_danger_check and decision.otherwise is not None:
        if expect == EMERGENCY:
            return Verdict(Outcome.RIGHT, EMERGENCY, checked=True)
        return replace(judge(decision.otherwise, expect, also), checked=True)
    accepted = {expect, *also}
    if decision.action == "route":
        landed = decision.destination
        outcome = Outcome.RIGHT if landed in accepted else Outcome.MISROUTE
    elif decision.action in ("confirm", "disambiguate") and decision.candidates:
        landed = first_offer(decision)
        outcome = Outcome.RIGHT if landed in accepted else Outcome.WRONG_OFFER
    else:
        landed, outcome = None, Outcome.REPROMPT
    return Verdict(
        outcome,
        landed,
        emergency_miss=expect == EMERGENCY and landed != EMERGENCY,
        false_emergency=landed == EMERGENCY and EMERGENCY not in accepted,
    )


@dataclass(frozen=True, slots=True)
class Scored:
    request: Request
    decision: Decision
    verdict: Verdict
    voice: str = ""  # speech benches: the test voice that spoke the request


@dataclass(slots=True)
class Tally:
    n: int = 0
    right: int = 0
    misroutes: int = 0
    wrong_offers: int = 0
    reprompts: int = 0
    emergencies: int = 0  # requests that expect emergency
    emergency_misses: int = 0
    false_emergencies: int = 0
    checked_emergencies: int = 0  # emergencies that reached 999 handling by a danger check
    checked_others: int = 0  # callers with no emergency asked the danger check

    def add(self, scored: Scored) -> None:
        v = scored.verdict
        self.n += 1
        self.right += v.right
        self.misroutes += v.outcome is Outcome.MISROUTE
        self.wrong_offers += v.outcome is Outcome.WRONG_OFFER
        self.reprompts += v.outcome is Outcome.REPROMPT
        self.emergencies += scored.request.expect == EMERGENCY
        self.emergency_misses += v.emergency_miss
        self.false_emergencies += v.false_emergency
        is_emergency = scored.request.expect == EMERGENCY
        self.checked_emergencies += v.checked and is_emergency
        self.checked_others += v.checked and not is_emergency

    @classmethod
    def of(cls, rows: Iterable[Scored]) -> Tally:
        tally = cls()
        for row in rows:
            tally.add(row)
        return tally


def score(requests: Sequence[Request], decide: Callable[[Request], Decision]) -> list[Scored]:
    out = []
    for request in requests:
        decision = decide(request)
        out.append(Scored(request, decision, judge(decision, request.expect, request.also)))
    return out


# --- markdown --------------------------------------------------------------------------


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f} %)" if n else "-"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a table: a set (and an engine, for speech) with its scored requests."""

    label: tuple[str, ...]  # ("set_a",) or ("set_a", "whisper")
    source: RequestSet
    scored: list[Scored] = field(default_factory=list)


SUMMARY = (
    "requests",
    "right destination",
    "silent misroutes",
    "emergency misses",
    "false emergencies",
    "reprompts",
    "wrong offers",
    "danger checks (emergency / other)",
)


def _header(label: Sequence[str], columns: Sequence[str]) -> list[str]:
    names = [*label, *columns]
    return [f"| {' | '.join(names)} |", "|" + "---|" * len(names)]


def summary_table(rows: Sequence[Row], label: Sequence[str] = ("set",)) -> list[str]:
    lines = _header(label, SUMMARY)
    for row in rows:
        t = Tally.of(row.scored)
        cells = [
            str(t.n),
            _pct(t.right, t.n),
            _pct(t.misroutes, t.n),
            f"{t.emergency_misses}/{t.emergencies}",
            str(t.false_emergencies),
            _pct(t.reprompts, t.n),
            str(t.wrong_offers),
            f"{t.checked_emergencies} / {t.checked_others}",
        ]
        lines.append(f"| {' | '.join([*row.label, *cells])} |")
    return lines


def by_tag(_row: Row, scored: Scored) -> tuple[str, ...]:
    return scored.request.tags


def by_voice(_row: Row, scored: Scored) -> tuple[str, ...]:
    """The voice, speeds together: the engines hear flite's voices and espeak-ng unequally."""
    return (scored.voice.split("@")[0],) if scored.voice else ()


def by_expect(row: Row, scored: Scored) -> tuple[str]:
    """A service destination, or the kind of directory entry expected (not every id)."""
    expect = scored.request.expect
    if not expect.startswith(DIRECTORY_PREFIX):
        return (expect,)
    entry = row.source.bundle.directory.get(expect[len(DIRECTORY_PREFIX) :])
    return (f"directory: {entry.kind}" if entry else "directory: (not in the directory)",)


def breakdown_table(
    rows: Sequence[Row],
    key: Callable[[Row, Scored], Iterable[str]],
    what: str,
    label: Sequence[str] = ("set",),
) -> list[str]:
    """Right / misroutes / reprompts per group (a request may be in several: its tags)."""
    columns = ("n", "right", "silent misroutes", "reprompts", "wrong offers", "emergency misses")
    lines = _header([*label, what], columns)
    for row in rows:
        groups: dict[str, list[Scored]] = {}
        for scored in row.scored:
            for name in key(row, scored) or ("(none)",):
                groups.setdefault(name, []).append(scored)
        for name in sorted(groups):
            t = Tally.of(groups[name])
            cells = [
                str(t.n),
                _pct(t.right, t.n),
                str(t.misroutes),
                str(t.reprompts),
                str(t.wrong_offers),
                f"{t.emergency_misses}/{t.emergencies}" if t.emergencies else "-",
            ]
            lines.append(f"| {' | '.join([*row.label, name, *cells])} |")
    return lines


def describe(scored: Scored) -> list[str]:
    """A failing row: what was asked for, what the engine did and why."""
    r, d, v = scored.request, scored.decision, scored.verdict
    flags = [f for f, on in (("EMERGENCY MISS", v.emergency_miss),
                             ("false emergency", v.false_emergency)) if on]  # fmt: skip
    wanted = r.expect + (f" (or {', '.join(r.also)})" if r.also else "")
    cands = ", ".join(f"{c.destination} {c.score:.2f}" for c in d.candidates[:3])
    return [
        f"  {r.text!r}  [{', '.join(r.tags)}]",
        f"      wanted {wanted}; {v.outcome}" + (f" ({'; '.join(flags)})" if flags else ""),
        f"      decision: {d.action} {d.destination or '-'} [{d.rule}] {d.reason}"
        + (f"; candidates: {cands}" if cands else ""),
    ]
