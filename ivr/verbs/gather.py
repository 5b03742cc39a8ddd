"""GatherDigits: ask, collect keypad digits, retry on silence or a wrong key."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ivr.session.session import CallSession, Outcome
from ivr.verbs.ask import collect_digits
from ivr.verbs.basic import Play, VerbBase


class GatherDigits(VerbBase):
    """Collect up to ``max_digits`` (or until ``terminator``), with retries.

    ``valid`` limits single-key menus; anything else counts as a wrong key and
    is re-asked. Outcome status is ``ok`` (value = digits), ``no-input`` or
    ``invalid`` once the tries run out; the caller's flow decides what next
    (always a human, never a dead end).
    """

    name = "gather"

    def __init__(
        self,
        prompt_ids: Sequence[str],
        *,
        max_digits: int = 1,
        terminator: str = "#",
        first_digit_timeout: float = 6.0,
        inter_digit_timeout: float = 3.0,
        tries: int = 3,
        valid: Collection[str] | None = None,
        no_input_prompt: str = "no_input",
        invalid_prompt: str = "invalid_choice",
        media: Sequence[str] = (),
    ) -> None:
        self.prompt_ids = tuple(prompt_ids)
        self.media = tuple(media)
        self.max_digits = max_digits
        self.terminator = terminator
        self.first_digit_timeout = first_digit_timeout
        self.inter_digit_timeout = inter_digit_timeout
        self.tries = tries
        self.valid = set(valid) if valid is not None else None
        self.no_input_prompt = no_input_prompt
        self.invalid_prompt = invalid_prompt

    def describe(self) -> str:
        return f"gather:{'+'.join(self.prompt_ids)}"

    async def run(self, session: CallSession) -> Outcome:
        last = "no-input"
        for attempt in range(1, self.tries + 1):
            if self.prompt_ids or self.media:
                await Play(self.prompt_ids, media=self.media).run(session)
            digits = await self._collect(session)
            if not digits:
                last = "no-input"
                session.record("gather-no-input", attempt=attempt)
                retry_prompt = self.no_input_prompt
            elif self.valid is not None and digits not in self.valid:
                last = "invalid"
                session.record("gather-invalid", attempt=attempt, digits=digits)
                retry_prompt = self.invalid_prompt
            else:
                session.record("gather-ok", attempt=attempt, digits=digits)
                return Outcome("ok", value=digits)
            if attempt < self.tries:
                await Play([retry_prompt]).run(session)
                session.digits.clear()
        return Outcome(last)

    async def _collect(self, session: CallSession) -> str:
        return await collect_digits(
            session,
            max_digits=self.max_digits,
            terminator=self.terminator,
            first_timeout=self.first_digit_timeout,
            inter_timeout=self.inter_digit_timeout,
            label=self.describe(),
        )
