"""Incident and outage messages: an operator switches on a prepared prompt for a while.

The prompt comes from the catalogue, or is one an admin added as text + rendered audio
(ivr.console.message_prompts: its Notice carries its own media URI). Its scope is every caller
("all", heard after the welcome) or callers whose words match an intent
("intent:<name>") or a place ("place:<word>"), heard before their route is acted on.
Stored in SQLite (table ``incident_messages``), kept in memory while in force:
``to_play`` (ivr.verbs.incident.Notices) never queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from ivr.clock import Clock, utc_now
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Operator
from ivr.console.timed import InForce, TimedTable, checked_until, parsed, stored
from ivr.text import normalise
from ivr.verbs.incident import Notice, NoticeMedia

TABLE = TimedTable.INCIDENT_MESSAGES
_WORDS = re.compile(r"[a-z0-9][a-z0-9 '\-]{0,59}")


MAX_FOR_ALL = 2  # messages every caller hears after the welcome, at once


class AddedPrompts(Protocol):
    """The messages admins added (ivr.console.message_prompts.MessagePrompts)."""

    def media(self, prompt_id: str) -> NoticeMedia | None:
        """Its audio; None when ``prompt_id`` is not an added message in use."""
        ...

    def seconds_of(self, prompt_id: str) -> float:
        """How long any pick-list entry plays (catalogue or added)."""
        ...

    @property
    def all_callers_max_s(self) -> float:
        """How long the messages for all callers may last together."""
        ...


class ScopeKind(StrEnum):
    ALL = "all"
    INTENT = "intent"
    PLACE = "place"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    value: str = ""  # the intent's name, or the place's words (normalised)

    def __str__(self) -> str:
        return self.kind.value if self.kind is ScopeKind.ALL else f"{self.kind}:{self.value}"

    @classmethod
    def parse(cls, text: Any, intents: Collection[str] | None = None) -> Scope:
        """``all``, ``intent:<name>`` (one the rules know) or ``place:<word>``."""
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("scope is required: all, intent:<name> or place:<word>")
        text = text.strip()
        if text == ScopeKind.ALL:
            return cls(ScopeKind.ALL)
        kind, _, value = text.partition(":")
        if kind == ScopeKind.INTENT and value:
            if intents is not None and value not in intents:
                raise BadRequest(f"scope: no intent {value[:60]!r} in the rules")
            return cls(ScopeKind.INTENT, value)
        if kind == ScopeKind.PLACE and value:
            words = normalise(value)
            if not _WORDS.fullmatch(words):
                raise BadRequest("scope: a place is a word or a few (letters, digits)")
            return cls(ScopeKind.PLACE, words)
        raise BadRequest(f"scope {text[:60]!r} is not all, intent:<name> or place:<word>")

    def matches(self, intent: str, heard: Sequence[str]) -> bool:
        """A matched scope (never "all") for the caller's intent or words."""
        if self.kind is ScopeKind.INTENT:
            return bool(intent) and intent == self.value
        if self.kind is ScopeKind.PLACE:
            needle = f" {self.value} "
            return any(needle in f" {normalise(h)} " for h in heard)
        return False


@dataclass(frozen=True)
class IncidentMessage:
    id: int
    prompt_id: str
    scope: Scope
    set_by: str
    starts_at: datetime
    until: datetime
    cancelled_at: datetime | None = None
    cancelled_by: str = ""

    def in_force(self, at: datetime) -> bool:
        return self.cancelled_at is None and self.starts_at <= at < self.until

    def notice(self, media: NoticeMedia | None = None) -> Notice:
        return Notice(self.id, self.prompt_id, str(self.scope), self.set_by, media)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prompt_id": self.prompt_id,
            "scope": str(self.scope),
            "by": self.set_by,
            "from": self.starts_at.isoformat(),
            "until": self.until.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "cancelled_by": self.cancelled_by or None,
        }

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> IncidentMessage:
        kind, _, value = str(row["scope"]).partition(":")
        return cls(
            id=int(row["id"]),
            prompt_id=row["prompt_id"],
            scope=Scope(ScopeKind(kind), value),
            set_by=row["set_by"],
            starts_at=datetime.fromisoformat(row["starts_at"]),
            until=datetime.fromisoformat(row["until"]),
            cancelled_at=parsed(row["cancelled_at"]),
            cancelled_by=row["cancelled_by"] or "",
        )


class IncidentMessages:
    """The messages: stored, and those in force in memory (Notices for the call flow)."""

    def __init__(
        self,
        db_path: str,
        prompts: Collection[str],
        audit: Audit,
        clock: Clock = utc_now,
        intents: Callable[[], Collection[str]] | None = None,
        added: AddedPrompts | None = None,
    ) -> None:
        """``prompts``: the catalogue's ids; ``intents``: the live rules' intent names;
        ``added``: the messages admins added."""
        self._rows = InForce(db_path, TABLE, IncidentMessage.of_row)
        self._prompts = frozenset(prompts)
        self._audit = audit
        self._clock = clock
        self._intents = intents
        self._added = added
        self._adding: Counter[str] = Counter()  # prompt ids of switch-ons not yet stored

    async def open(self) -> None:
        await self._rows.open(self._clock())

    async def close(self) -> None:
        await self._rows.close()

    async def refresh(self) -> None:
        """Another node's messages too (ivr.console.timed.InForce.refresh)."""
        await self._rows.refresh(self._clock())

    def listed(self, at: datetime | None = None) -> list[IncidentMessage]:
        return self._rows.listed(at or self._clock())

    def in_use(self) -> set[str]:
        """Prompt ids of the messages in force or being switched on: not to be retired."""
        return {m.prompt_id for m in self.listed()} | set(+self._adding)

    def _media(self, prompt_id: str) -> NoticeMedia | None:
        return self._added.media(prompt_id) if self._added is not None else None

    def _known(self, prompt_id: Any) -> bool:
        return isinstance(prompt_id, str) and (
            prompt_id in self._prompts or self._media(prompt_id) is not None
        )

    def to_play(
        self, at: datetime, *, matched: bool, intent: str = "", heard: Sequence[str] = ()
    ) -> tuple[Notice, ...]:
        """Notices: "all" after the welcome; the matched scopes once the words are in.

        An added message's audio wins over a catalogue prompt of the same id (one an
        upgrade brought later): the operator switched on the added one."""
        return tuple(
            m.notice(self._media(m.prompt_id))
            for m in self.listed(at)
            if (m.scope.matches(intent, heard) if matched else m.scope.kind is ScopeKind.ALL)
        )

    async def add(
        self, prompt_id: Any, scope: Any, until: Any, operator: Operator
    ) -> IncidentMessage:
        """Check the request (BadRequest), store it, then switch it on."""
        now = self._clock()
        if not self._known(prompt_id):
            raise BadRequest(
                "prompt_id must be a prompt of the catalogue or a message an admin added"
            )
        where = Scope.parse(scope, self._intents() if self._intents is not None else None)
        end = checked_until(until, now)
        in_force = self.listed(now)
        if any(m.prompt_id == prompt_id and str(m.scope) == str(where) for m in in_force):
            raise Conflict(f"{prompt_id} is already on for {where}")
        if (
            where.kind is ScopeKind.ALL
            and sum(m.scope.kind is ScopeKind.ALL for m in in_force) >= MAX_FOR_ALL
        ):
            # Every caller hears each one before the menu: more would keep them from help.
            raise Conflict(f"at most {MAX_FOR_ALL} messages for all callers at once")
        if where.kind is ScopeKind.ALL:
            self._check_length(prompt_id, in_force)
        row = {
            "prompt_id": prompt_id,
            "scope": str(where),
            "set_by": operator.name,
            "starts_at": stored(now),
            "until": stored(end),
        }
        self._adding[prompt_id] += 1
        try:
            message = await self._rows.insert(row)
        finally:
            self._adding[prompt_id] -= 1
        self._audit.record(operator.name, "message.add", message.as_json())
        return message

    def _check_length(self, prompt_id: str, in_force: Sequence[IncidentMessage]) -> None:
        """Conflict when the messages for all callers would last longer than the setting:
        they play before the menu, unskippable (barge-in is off for them)."""
        if self._added is None:
            return
        playing = [m.prompt_id for m in in_force if m.scope.kind is ScopeKind.ALL]
        total = sum(self._added.seconds_of(p) for p in [*playing, prompt_id])
        limit = self._added.all_callers_max_s
        if total > limit:
            raise Conflict(
                f"callers would hear {total:.0f} s of messages before the menu; at most"
                f" {limit:g} s for all callers ([messages] all_callers_max_s): switch one off,"
                " choose a shorter one, or scope it to an intent or a place"
            )

    async def cancel(self, message_id: int, operator: Operator) -> IncidentMessage:
        now = self._clock()
        message = self._rows.get(message_id)
        if message is None or not message.in_force(now):
            raise NotFound(f"no message {message_id} in force")
        at = await self._rows.cancel(message_id, now, operator.name)
        self._audit.record(operator.name, "message.cancel", {"id": message_id})
        return replace(message, cancelled_at=at, cancelled_by=operator.name)
