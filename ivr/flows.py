"""The 101 call flow, built from settings.

Kept as data-ish composition of verbs so the routing brain (rules, speech)
can later replace the keypad menu without touching the verbs.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.config import Settings
from ivr.session.session import Verb
from ivr.verbs import Answer, Hangup, KeypadMenu, MenuOption, Play, Transfer
from ivr.verbs.transfer import Target

MAIN_MENU: dict[str, MenuOption] = {
    "1": MenuOption("rc", "report a crime that has already happened"),
    "2": MenuOption("fcr", "an incident that needs police to attend"),
    "3": MenuOption("switchboard", "an update on an existing report"),
    "4": MenuOption("switchboard", "a named officer or department"),
    "5": MenuOption("online", "report online or live chat"),
    "0": MenuOption("switchboard", "anything else"),
    "9": MenuOption("emergency", "an emergency"),
}

_TRANSFER_PROMPT = {
    "rc": "transfer_rc",
    "fcr": "transfer_fcr",
    "emergency": "transfer_emergency",
    "switchboard": "transfer_switchboard",
}


class FlowBuilder:
    """Makes the verb lists for the call flow; one instance per app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def inbound(self) -> list[Verb]:
        return [
            Answer(),
            Play(["welcome"]),
            KeypadMenu(
                ["main_menu", "main_menu_more"],
                MAIN_MENU,
                self.route_to,
                tries=self.settings.menu_tries,
                first_digit_timeout=self.settings.first_digit_timeout,
            ),
        ]

    def route_to(self, destination: str) -> Sequence[Verb]:
        if destination == "online":
            return [Play(["online_info"], barge_in=False), Hangup("goodbye")]
        prompt = _TRANSFER_PROMPT.get(destination, "transfer_switchboard")
        # Hangup only runs when every target failed: Transfer ends the flow on success.
        return [
            Play([prompt], barge_in=False),
            self.transfer(destination),
            Hangup("no_one_available", outcome="unanswered"),
        ]

    def transfer(self, destination: str) -> Transfer:
        """Targets in order: an emergency the priority line misses goes to FCR, then a person."""
        endpoints = self.settings.destinations
        chain = [destination] + (["fcr"] if destination == "emergency" else []) + ["switchboard"]
        targets = [Target(d, endpoints[d]) for d in dict.fromkeys(chain) if d in endpoints]
        return Transfer(
            targets, ring_timeout=self.settings.ring_timeout, caller_id=self.settings.caller_id
        )

    def step_down(self) -> list[Verb]:
        """After a refused request: apologise and put the caller through to a person."""
        return [
            Play(["technical_difficulty"], barge_in=False),
            Transfer(
                [Target("switchboard", self.settings.destinations["switchboard"])],
                ring_timeout=self.settings.ring_timeout,
                caller_id=self.settings.caller_id,
            ),
            Hangup("no_one_available", outcome="unanswered"),
        ]
