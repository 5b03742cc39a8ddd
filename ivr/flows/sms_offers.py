"""The texted ways out of waiting, chosen per call: live chat while it can answer, else
the online link (issue 17). Kept out of FlowBuilder, which places the offer; this says
which offer it is."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.notify.texts import Texts
from ivr.session.model import Verb
from ivr.verbs.chat_offer import ChatOffering, OfferChat
from ivr.verbs.deflect import OfferLink

ONLINE_OFFER = "online_sms_offer"


def offer_prompt(message: str | None) -> str:
    """A rule's own ``*_offer`` message, else the online-link offer."""
    return message if message and message.endswith("_offer") else ONLINE_OFFER


class SmsOffers:
    def __init__(self, texts: Texts, chat: ChatOffering | None, first_digit_timeout: float) -> None:
        """``chat``: the chat desk (None: chat is not set up; only the link is offered)."""
        self.texts = texts
        self.chat = chat
        self.first_digit_timeout = first_digit_timeout

    def offer(
        self,
        otherwise: Sequence[Verb],
        *,
        message: str | None = None,
        not_offered: Sequence[Verb] | None = None,
        intent: str = "",
    ) -> Verb:
        """Chat first when the desk says open at the time of the offer; the online link
        (which never promises chat) when not; ``otherwise`` after a "no"."""
        link = OfferLink(
            self.texts, otherwise, prompt=offer_prompt(message), not_offered=not_offered
        )
        if self.chat is None:
            return link
        return OfferChat(
            self.chat,
            self.texts,
            otherwise,
            closed=[link],
            intent=intent,
            first_digit_timeout=self.first_digit_timeout,
        )
