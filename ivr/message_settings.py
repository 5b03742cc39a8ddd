"""[messages]: where the incident messages admins add are rendered to, how long a
render may take, and how long the messages for all callers may last together.

``sounds_dir`` is laid out like Asterisk's sounds folder: a message ``flood_a1`` is
written to ``<sounds_dir>/<language>/ivr101-messages/flood_a1.wav`` and played as
``sound:ivr101-messages/flood_a1``. A force links Asterisk's
``/var/lib/asterisk/sounds/<language>/ivr101-messages`` to that folder (README).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr.sections import PATH, Number, Section, option

MESSAGE_SOUND_PREFIX = "ivr101-messages"  # beside the catalogue's ivr101, never inside it


@dataclass(frozen=True)
class MessageSettings(Section):
    TABLE = "messages"

    sounds_dir: Path = option(Path("var/sounds"), PATH)
    render_timeout_s: float = option(30.0, Number(unit="seconds"))
    # Every caller hears the "all" messages before the menu, with no way to skip them.
    all_callers_max_s: float = option(30.0, Number(unit="seconds"))

    def folder(self, language: str) -> Path:
        """Where the WAVs go: the folder Asterisk's sounds dir links to."""
        return self.sounds_dir / language / MESSAGE_SOUND_PREFIX
