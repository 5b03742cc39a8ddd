"""KeypadMenu: one key per destination, with a human always at the end."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ivr.session.session import CallSession, Outcome, Verb
from ivr.verbs.basic import VerbBase
from ivr.verbs.gather import GatherDigits

RouteTo = Callable[[str], Sequence[Verb]]


@dataclass(frozen=True)
class MenuOption:
    destination: str
    label: str


class KeypadMenu(VerbBase):
    """Ask for one key, log the routing decision with its evidence, go there.

    No valid key after all tries routes to ``fallback_destination`` (the
    switchboard), never to a hang-up.
    """

    name = "menu"

    def __init__(
        self,
        prompt_ids: Sequence[str],
        options: Mapping[str, MenuOption],
        route_to: RouteTo,
        *,
        fallback_destination: str = "switchboard",
        tries: int = 3,
        first_digit_timeout: float = 6.0,
    ) -> None:
        self.prompt_ids = tuple(prompt_ids)
        self.options = dict(options)
        self.route_to = route_to
        self.fallback_destination = fallback_destination
        self.gather = GatherDigits(
            self.prompt_ids,
            valid=self.options.keys(),
            tries=tries,
            first_digit_timeout=first_digit_timeout,
        )

    def describe(self) -> str:
        return f"menu:{'+'.join(self.prompt_ids)}"

    async def run(self, session: CallSession) -> Outcome:
        result = await self.gather.run(session)
        if result.status == "ok":
            option = self.options[result.value]
            destination = option.destination
            rule = "keypad-menu"
            reason = f"caller pressed {result.value} ({option.label})"
        else:
            destination = self.fallback_destination
            rule = f"keypad-menu-{result.status}"
            reason = f"no valid key after {self.gather.tries} tries ({result.status})"
        session.record_decision(
            {
                "action": "route",
                "destination": destination,
                "intent": None,
                "rule": rule,
                "reason": reason,
                "candidates": [],
                "evidence": {"digits": result.value, "gather": result.status},
            }
        )
        return Outcome("routed", value=destination, next_flow=self.route_to(destination))
