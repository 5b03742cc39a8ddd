"""The prepared messages an operator picks from: the catalogue's, and those admins add.

A catalogue prompt is a prepared message when its id starts ``incident_`` or ``outage_``
(prompts/catalogue.yaml, committed audio). An admin adds one as text: it is rendered
with the prompts' own voice (ivr.media.synth) into the [messages] sounds folder and
played as ``sound:ivr101-messages/<id>``, which is what Asterisk plays once its sounds
dir links to that folder. Rows are in the call database (``message_prompts``); the ones
not retired are kept in memory, so a call asking for a message's audio never queries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ivr.clock import Clock, utc_now
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Operator
from ivr.media.synth import Synthesizer, wav_seconds
from ivr.message_settings import MESSAGE_SOUND_PREFIX, MessageSettings
from ivr.prompts import PromptCatalogue
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.thread import StoreThread
from ivr.verbs.incident import NoticeMedia

log = logging.getLogger(__name__)

ID_RULE = re.compile(r"[a-z][a-z0-9_]{2,40}")
MAX_TEXT = 600  # about 40 s of speech: every caller in scope hears it all before help
CHARS_PER_SECOND = 15.0  # the prompts' voice: a message whose audio is missing, timed
PREPARED_PREFIXES = ("incident_", "outage_")


class PromptSource(StrEnum):
    CATALOGUE = "catalogue"
    ADDED = "added"


class PromptAudit(StrEnum):
    ADDED = "message-prompt-added"
    RETIRED = "message-prompt-retired"


@dataclass(frozen=True)
class MessagePrompt:
    """One entry of the pick list."""

    id: str
    text: str
    source: PromptSource
    created_by: str = ""
    created_at: datetime | None = None
    seconds: float | None = None  # None: its audio is missing on this host

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source.value,
            "created_by": self.created_by or None,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "seconds": None if self.seconds is None else round(self.seconds, 1),
        }

    @classmethod
    def of_row(cls, row: Mapping[str, Any], seconds: float | None) -> MessagePrompt:
        return cls(
            row["id"],
            row["text"],
            PromptSource.ADDED,
            row["created_by"],
            datetime.fromisoformat(row["created_at"]),
            seconds,
        )


def checked_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_RULE.fullmatch(value):
        raise BadRequest(
            "id must be 3 to 41 characters: a lower-case letter, then letters, digits or _"
        )
    return value


def checked_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("text is required: what callers will hear")
    text = " ".join(value.split())
    if len(text) > MAX_TEXT:
        raise BadRequest(f"text is longer than {MAX_TEXT} characters: callers must wait for it")
    return text


class PromptRows:
    """Synchronous queries of ``message_prompts``; used only on the store's thread."""

    def __init__(self, path: str) -> None:
        self._calls = CallStore(path)
        self.db = self._calls.db

    def close(self) -> None:
        self._calls.close()

    def active(self) -> list[dict[str, Any]]:
        return self.db.rows_where(
            "message_prompts", "retired_at IS NULL", order_by="created_at, id"
        )

    def insert(self, row: Mapping[str, Any]) -> bool:
        """False when the id was ever used (a retired one included)."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO message_prompts (id, text, created_by, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [row["id"], row["text"], row["created_by"], row["created_at"]],
            )
        return cursor.rowcount == 1

    def retire(self, prompt_id: str, at: str, by: str) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE message_prompts SET retired_at = ?, retired_by = ?"
                " WHERE id = ? AND retired_at IS NULL",
                [at, by, prompt_id],
            )


class MessagePrompts:
    """The pick list, and the added messages' audio (NoticeMedia for the call flow)."""

    def __init__(
        self,
        db_path: str,
        catalogue: PromptCatalogue,
        settings: MessageSettings,
        audit: Audit,
        clock: Clock = utc_now,
        synthesizer: Synthesizer | None = None,
    ) -> None:
        self._thread: StoreThread[PromptRows] = StoreThread(
            "message-prompts",
            lambda: PromptRows(db_path),
            lambda: RuntimeError("the message prompts are not open"),
        )
        self._catalogue = catalogue
        self.folder = settings.folder(catalogue.language)
        self._audit = audit
        self._clock = clock
        self._synth = synthesizer or Synthesizer(settings.render_timeout_s)
        self._max_all_s = settings.all_callers_max_s
        self._added: dict[str, MessagePrompt] = {}
        self._busy: set[str] = set()  # ids being added or retired just now

    async def open(self) -> None:
        await self._thread.open()
        rows = await self._thread.run(lambda s: s.active())
        self._added = {r["id"]: MessagePrompt.of_row(r, self._seconds(r["id"])) for r in rows}
        for missing in [p.id for p in self._added.values() if p.seconds is None]:
            log.warning("message %s: no audio at %s", missing, self.wav_path(missing))
        for both in sorted(p for p in self._added if p in self._catalogue):
            # Added while the id was free; an upgrade's catalogue brought one of its own.
            log.warning(
                "message %s: the prompt catalogue now has a prompt of that id too; the added"
                " message is the one offered and played (retire it to use the catalogue's)",
                both,
            )

    async def close(self) -> None:
        await self._thread.close()

    def wav_path(self, prompt_id: str) -> Path:
        return self.folder / f"{prompt_id}.wav"

    def _seconds(self, prompt_id: str) -> float | None:
        try:
            return wav_seconds(self.wav_path(prompt_id))
        except (OSError, EOFError, ValueError):
            return None

    def listed(self) -> list[MessagePrompt]:
        """The catalogue's prepared messages, then the added ones, oldest first."""
        seconds = self._catalogue.seconds
        prepared = [
            MessagePrompt(p.id, p.text, PromptSource.CATALOGUE, seconds=seconds(p.id))
            for p in self._catalogue.prompts.values()
            if p.id.startswith(PREPARED_PREFIXES) and p.id not in self._added
        ]
        return [*prepared, *self._added.values()]

    @property
    def all_callers_max_s(self) -> float:
        """How long the messages for all callers may last together ([messages])."""
        return self._max_all_s

    def seconds_of(self, prompt_id: str) -> float:
        """How long a pick-list entry plays: its audio's length, else timed by its text."""
        added = self._added.get(prompt_id)
        if added is not None:
            text, seconds = added.text, added.seconds
        elif prompt_id in self._catalogue:
            text, seconds = self._catalogue.get(prompt_id).text, self._catalogue.seconds(prompt_id)
        else:
            return 0.0
        return seconds if seconds is not None else len(text) / CHARS_PER_SECOND

    def media(self, prompt_id: str) -> NoticeMedia | None:
        """Where an added message's audio is (None: not an added message in use)."""
        added = self._added.get(prompt_id)
        if added is None:
            return None
        return NoticeMedia(f"sound:{MESSAGE_SOUND_PREFIX}/{prompt_id}", added.seconds)

    def audio(self, prompt_id: str) -> Path:
        """The WAV of a pick-list entry, for a preview; NotFound if none."""
        if prompt_id in self._added:
            path = self.wav_path(prompt_id)
        elif prompt_id.startswith(PREPARED_PREFIXES) and prompt_id in self._catalogue:
            source = self._catalogue.source
            if source is None:
                raise NotFound(f"no audio for {prompt_id} on this server")
            path = self._catalogue.wav_path(source.parent / "sounds", prompt_id)
        else:
            raise NotFound(f"no message prompt {prompt_id!r}")
        if not path.is_file():
            raise NotFound(f"no audio for {prompt_id} on this server")
        return path

    async def add(self, prompt_id: Any, text: Any, admin: Operator) -> MessagePrompt:
        """Check, render (RenderError, ToolsMissing), store, then offer it to operators."""
        new_id, words = checked_id(prompt_id), checked_text(text)
        if new_id in self._catalogue:
            raise Conflict(f"{new_id} is a prompt of the catalogue: choose another id")
        if new_id in self._added or new_id in self._busy:
            raise Conflict(f"{new_id} is already a message")
        self._busy.add(new_id)
        try:
            return await self._add(new_id, words, admin)
        finally:
            self._busy.discard(new_id)

    async def _add(self, new_id: str, words: str, admin: Operator) -> MessagePrompt:
        path = self.wav_path(new_id)
        seconds = await self._synth.render(words, path)
        at = self._clock()
        row = {"id": new_id, "text": words, "created_by": admin.name, "created_at": iso(at)}
        if not await self._thread.run(lambda s: s.insert(row)):
            path.unlink(missing_ok=True)
            raise Conflict(f"{new_id} was used before (retired): choose another id")
        entry = MessagePrompt.of_row(row, seconds)
        self._added[new_id] = entry
        self._audit.record(admin.name, PromptAudit.ADDED, {"id": new_id, "text": words})
        return entry

    async def retire(
        self, prompt_id: str, admin: Operator, in_force: Collection[str]
    ) -> MessagePrompt:
        """No longer offered, its audio removed; Conflict while a message in force plays it
        (``in_force``: the prompt ids of the messages in force)."""
        if prompt_id in self._catalogue and prompt_id not in self._added:
            raise Conflict(f"{prompt_id} is in the catalogue: an admin edits the catalogue file")
        entry = self._added.get(prompt_id)
        if entry is None or prompt_id in self._busy:
            raise NotFound(f"no added message {prompt_id!r}")
        if prompt_id in in_force:
            raise Conflict(f"{prompt_id} is in force: switch the message off first")
        # Gone from memory before the first await: no operator can switch it on meanwhile.
        del self._added[prompt_id]
        at = iso(self._clock())
        try:
            await self._thread.run(lambda s: s.retire(prompt_id, at, admin.name))
        except BaseException:
            self._added[prompt_id] = entry
            raise
        self.wav_path(prompt_id).unlink(missing_ok=True)
        self._audit.record(admin.name, PromptAudit.RETIRED, {"id": prompt_id})
        return entry
