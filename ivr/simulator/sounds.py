"""Sound lookup for the simulator, laid out and resolved the way Asterisk does it.

``sound:<name>`` resolves to ``<root>/<lang>/<name>.wav``, then ``<root>/en/<name>.wav``
(Asterisk falls back to the default language), then ``<root>/<name>.wav``; the first root
that has it wins. Playback timing only needs a duration, so durations come from the WAV
header and are cached; Asterisk's core sounds that the golden traces play are also
known by duration alone (STOCK_SOUNDS), so the simulator times them right even without
any files. Stand-in WAVs of exactly those durations ship in ``BUNDLED_SOUNDS``.
"""

from __future__ import annotations

import logging
from array import array
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Final

from ivr.media.wav import WavError, read_wav_8k, wav_duration

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE: Final = "en"

#: Folder of the stand-in WAVs made by scripts/make_sim_sounds.py (<here>/sounds/en/*.wav).
BUNDLED_SOUNDS: Final = Path(__file__).resolve().parent / "sounds"

#: Asterisk 22 core sounds (en) used in the golden traces, duration in seconds, from the
#: traces: hello-world PlaybackStarted->Finished 1.402 s; beep->Continuing 0.424 s (the
#: trace description says 0.43); tt-monkeys, vm-intro and tt-weasels from the trace
#: descriptions (16.2, 5.65, 2.95 s).
STOCK_SOUNDS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "hello-world": 1.40,
        "tt-monkeys": 16.2,
        "beep": 0.43,
        "vm-intro": 5.65,
        "tt-weasels": 2.95,
    }
)

_SAMPLE_CACHE_SIZE: Final = 64


def valid_sound_name(name: str) -> bool:
    """True for names Asterisk would look up under a sounds dir; false for traversal tricks."""
    if not name or len(name) > 255 or "\\" in name or "\x00" in name:
        return False
    if name.startswith("/") or ":" in name:
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _valid_language(language: str) -> bool:
    return bool(language) and valid_sound_name(language) and "/" not in language


class SoundLibrary:
    """Finds sounds in Asterisk-style roots and answers duration and samples, cached."""

    def __init__(
        self,
        roots: Sequence[Path],
        stock: Mapping[str, float] = STOCK_SOUNDS,
        *,
        bundled: bool = True,
    ) -> None:
        # The bundled stand-ins come last, the way Asterisk's core sounds sit beside any
        # custom ones: configured roots override them, and stock names always have audio.
        extra = (BUNDLED_SOUNDS,) if bundled and BUNDLED_SOUNDS not in roots else ()
        self.roots = (*(Path(r) for r in roots), *extra)
        self.stock = dict(stock)
        self._paths: dict[tuple[str, str], Path] = {}
        self._durations: dict[Path, float | None] = {}
        self._samples: OrderedDict[Path, array[int]] = OrderedDict()

    def path(self, name: str, language: str = DEFAULT_LANGUAGE) -> Path | None:
        """The WAV that ``sound:<name>`` plays for this channel language, or None."""
        key = (name, language)
        cached = self._paths.get(key)
        if cached is not None:
            return cached  # only hits are cached, so files added later are still found
        found: Path | None = None
        if valid_sound_name(name):
            candidates = [f"{language}/{name}.wav"] if _valid_language(language) else []
            if language != DEFAULT_LANGUAGE:
                candidates.append(f"{DEFAULT_LANGUAGE}/{name}.wav")
            candidates.append(f"{name}.wav")
            found = next(
                (root / rel for root in self.roots for rel in candidates if (root / rel).is_file()),
                None,
            )
        if found is not None:
            self._paths[key] = found
        return found

    def duration(self, name: str, language: str = DEFAULT_LANGUAGE) -> float | None:
        """Seconds the sound plays for; None if no such sound (the playback then fails)."""
        path = self.path(name, language)
        if path is None:
            return self.stock.get(name) if valid_sound_name(name) else None
        if path not in self._durations:
            try:
                self._durations[path] = wav_duration(path)
            except WavError as exc:
                log.warning("sound unreadable: %s [%s]", exc, exc.error_id)
                self._durations[path] = None
        return self._durations[path]

    def samples(self, name: str, language: str = DEFAULT_LANGUAGE) -> array[int] | None:
        """8 kHz mono samples of the sound (a shared array: do not modify); None if no file."""
        path = self.path(name, language)
        if path is None:
            return None
        cached = self._samples.get(path)
        if cached is not None:
            self._samples.move_to_end(path)
            return cached
        try:
            data = read_wav_8k(path)
        except WavError as exc:
            log.warning("sound unreadable: %s [%s]", exc, exc.error_id)
            return None
        self._samples[path] = data
        if len(self._samples) > _SAMPLE_CACHE_SIZE:
            self._samples.popitem(last=False)
        return data


__all__ = ["BUNDLED_SOUNDS", "DEFAULT_LANGUAGE", "STOCK_SOUNDS", "SoundLibrary", "valid_sound_name"]
