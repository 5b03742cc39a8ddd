"""RouteAdjuster: what happens to a route once the evidence has chosen it.

A closed directory entry diverts to its alternative, an operator override
moves a destination, and the admin rules adjust the result (divert when
closed, offer a callback when the wait is long). They only ever edit a Draft
the engine's stages made: none of them can produce or remove an emergency
route, which is why they live apart from the evidence stages.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.decisions import DIRECTORY_PREFIX, EMERGENCY, SWITCHBOARD, Ask, is_destination
from ivr.directory import DirectoryEntry
from ivr.routing.bundle import RoutingBundle
from ivr.routing.draft import Draft
from ivr.routing.model import RoutingInputs
from ivr.routing.rules import Facts

_MAX_OVERRIDE_HOPS = 4


class RouteAdjuster:
    """Applies opening hours, operator overrides and admin rules to a Draft; no state."""

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle

    def directory_hours(self, draft: Draft, inputs: RoutingInputs) -> None:
        entry = self.bundle.directory.named_by(draft.destination)
        schedules = self.bundle.schedules
        if entry is None or not entry.hours or schedules.is_open(entry.hours, inputs.at):
            return
        alternative, label = self._alternative(entry, inputs)
        draft.reasons.append(
            f"{entry.spoken_name}: {schedules.explain(entry.hours, inputs.at)} → {label}"
        )
        draft.evidence["closed_entry"] = entry.id
        draft.destination, draft.rule = alternative, "directory-closed"
        draft.fired.append("directory-closed")

    def _alternative(self, entry: DirectoryEntry, inputs: RoutingInputs) -> tuple[str, str]:
        """Where a closed entry's calls go: its configured alternative, its team, or a person."""
        alternatives = self.bundle.rules.alternatives
        for key in (entry.id, entry.team):
            target = alternatives.get(key) if key else None
            if target and self._reachable(target, inputs):
                return target, f"alternative {target}"
        if entry.team:
            team = entry.team.casefold()
            for other in self.bundle.directory.entries:
                if (
                    other.kind == "department"
                    and other.id != entry.id
                    and team in (other.name.casefold(), other.id)
                    and self._reachable(other.destination, inputs)
                ):
                    return other.destination, f"team {other.spoken_name}"
        return SWITCHBOARD, "switchboard"

    def _reachable(self, destination: str, inputs: RoutingInputs) -> bool:
        entry = self.bundle.directory.named_by(destination)
        if entry is None:
            return not destination.startswith(DIRECTORY_PREFIX)
        return not entry.hours or self.bundle.schedules.is_open(entry.hours, inputs.at)

    def overrides(self, draft: Draft, inputs: RoutingInputs) -> None:
        seen: set[str] = set()
        for _ in range(_MAX_OVERRIDE_HOPS):
            current = draft.destination
            if current is None or current in seen:
                return
            seen.add(current)
            active = next(
                (
                    o
                    for o in inputs.overrides
                    if o.source == current
                    and o.target != EMERGENCY
                    and is_destination(o.target)
                    and (o.until is None or inputs.at < o.until)
                ),
                None,
            )
            if active is None:
                return
            draft.reasons.append(
                f"operator override {current} → {active.target}"
                + (f" ({active.reason})" if active.reason else "")
            )
            draft.evidence.setdefault("overrides", []).append(
                {"source": current, "target": active.target, "reason": active.reason}
            )
            draft.destination, draft.rule, draft.overridden = (
                active.target,
                "operator-override",
                True,
            )
            draft.fired.append("operator-override")

    def rules(self, draft: Draft, inputs: RoutingInputs) -> None:
        ruleset = self.bundle.rules
        facts = self._facts(draft, inputs)
        start = 0
        while True:
            found = ruleset.next_match(facts, start)
            if found is None:
                return
            index, rule, why = found
            then = rule.then
            if then.route:
                draft.destination, draft.action = then.route, "route"
            if then.confirm is not None and draft.destination is not None:
                draft.action = "confirm" if then.confirm else "route"
            draft.offers.extend(then.offers)
            for offer in then.offers:
                draft.offered_by.setdefault(offer, rule.name)
            if then.message:
                # The message is the next question, or what is said before it (the menu):
                # the flow reads which from ``ask``, never from the prompt id.
                draft.message = then.message
                draft.ask = Ask.by_prompt(then.message)
            conditions = f": {'; '.join(why)}" if why else ""
            text = f"rule {rule.name}{conditions} → {then.describe()}"
            draft.reasons.append(text + (f" ({then.reason})" if then.reason else ""))
            draft.rule = rule.name
            draft.fired.append(rule.name)
            if not then.continue_:
                return
            facts = self._facts(draft, inputs)
            start = index + 1

    def _facts(self, draft: Draft, inputs: RoutingInputs) -> Facts:
        return Facts(
            at=inputs.at,
            action=draft.action,
            destination=draft.destination,
            intent=draft.intent,
            source=draft.source,
            flags=inputs.caller.flags,
            recent_calls=inputs.caller.recent_calls,
            waits=inputs.queue_waits,
            override=draft.overridden,
            dialled=inputs.dialled,
            is_open=_cached(lambda name: self.bundle.schedules.is_open(name, inputs.at)),
            bank_holiday=self.bundle.schedules.is_bank_holiday(inputs.at),
        )


def _cached(fn: Callable[[str], bool]) -> Callable[[str], bool]:
    memo: dict[str, bool] = {}

    def lookup(name: str) -> bool:
        if name not in memo:
            memo[name] = fn(name)
        return memo[name]

    return lookup
