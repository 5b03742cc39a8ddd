"""Notes on a channel (ARI channel variables) read back after a restart."""

from __future__ import annotations

from typing import cast

from ivr.ari.client import AriClient
from ivr.ari.errors import AriHttpError, AriNotFound
from ivr.session.notes import Note, read_note, read_notes


class FlakyVariables:
    """get_variable answers 500 ``failures`` times, then the value (or 404 when unset)."""

    def __init__(self, values: dict[str, str], failures: int) -> None:
        self.values = values
        self.failures = failures
        self.asked = 0

    async def get_variable(self, channel_id: str, name: str) -> str:
        self.asked += 1
        if self.failures > 0:
            self.failures -= 1
            raise AriHttpError("GET", f"/channels/{channel_id}/variable", 500, "busy")
        if name not in self.values:
            raise AriNotFound("GET", f"/channels/{channel_id}/variable", 404, "unset")
        return self.values[name]


async def test_a_passing_ari_error_is_not_taken_for_an_unset_emergency_note() -> None:
    ari = FlakyVariables({Note.EMERGENCY.value: "1"}, failures=2)
    assert await read_note(cast(AriClient, ari), "chan-1", Note.EMERGENCY) == "1"
    assert ari.asked == 3


async def test_an_unset_note_is_empty_at_once() -> None:
    ari = FlakyVariables({}, failures=0)
    assert await read_notes(cast(AriClient, ari), "c", Note.QUEUE_PLACE, Note.EMERGENCY) == [
        "",
        "",
    ]
    assert ari.asked == 2
