"""The prompt catalogue: prompt ids, what they say, and where Asterisk finds them.

Admins edit ``prompts/catalogue.yaml``; a typo there must be reported with its
line number, never half-loaded: the file is read with ``ivr.yamlfile`` (lines
kept, duplicate keys refused) and checked against the shapes below.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from ivr.sections import PATH, Section, option
from ivr.shipped import PROMPT_CATALOGUE
from ivr.yamlfile import DataFileError, LineDict, parse_data
from ivr.yamlshape import Kind, Problems, Shape

# Ids become file names and sound URIs, so keep them to what every filesystem takes.
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2})?$")


class CatalogueError(DataFileError):
    """The catalogue file is unusable; ``errors`` holds every "file:line: message"."""

    error_id = "prompt-catalogue-invalid"


class UnknownPrompt(KeyError):
    """A flow asked for a prompt id the catalogue does not have."""

    error_id = "prompt-unknown"

    def __init__(self, prompt_id: str) -> None:
        super().__init__(prompt_id)
        self.prompt_id = prompt_id

    def __str__(self) -> str:
        return f"unknown prompt id {self.prompt_id!r}"


@dataclass(frozen=True)
class PromptSettings(Section):
    """[prompts]: the catalogue the app plays from (default: the shipped one)."""

    TABLE = "prompts"

    catalogue: Path = option(PROMPT_CATALOGUE, PATH)


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class PromptCatalogue:
    """Loaded once at start-up; immutable so every call sees the same prompts."""

    language: str
    sound_prefix: str
    prompts: Mapping[str, Prompt] = field(hash=False)
    source: Path | None = None
    # Seconds of audio per prompt id, read from the WAVs beside the catalogue; used to
    # notice a prompt whose PlaybackFinished never comes (see ivr.verbs.basic.Play).
    durations: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompts", MappingProxyType(dict(self.prompts)))
        object.__setattr__(self, "durations", MappingProxyType(dict(self.durations)))

    @classmethod
    def load(cls, path: Path) -> PromptCatalogue:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError([f"{path}:0: cannot read: {exc.strerror or exc}"]) from exc
        catalogue = cls.parse(source, path)
        return replace(catalogue, durations=catalogue.read_durations(path.parent / "sounds"))

    def read_durations(self, sounds_root: Path) -> dict[str, float]:
        """Header-only reads of the prompts' WAVs; missing or unreadable ones are skipped."""
        found: dict[str, float] = {}
        for prompt_id in self.prompts:
            try:
                with wave.open(str(self.wav_path(sounds_root, prompt_id)), "rb") as wav:
                    found[prompt_id] = wav.getnframes() / wav.getframerate()
            except (OSError, EOFError, wave.Error):
                continue
        return found

    def seconds(self, prompt_id: str) -> float | None:
        return self.durations.get(prompt_id)

    def sound_uri(self, name: str) -> str:
        """Media URI of a sound outside the catalogue under the same prefix (e.g. names/p-0001)."""
        return f"sound:{self.sound_prefix}/{name}"

    @classmethod
    def parse(cls, source: str, path: Path | None = None) -> PromptCatalogue:
        """Parse catalogue text; ``path`` is only used to name the file in errors."""
        return _read(source, str(path) if path else "<catalogue>", path)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.prompts)

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self.prompts

    def get(self, prompt_id: str) -> Prompt:
        try:
            return self.prompts[prompt_id]
        except KeyError:
            raise UnknownPrompt(prompt_id) from None

    def text(self, prompt_id: str) -> str:
        return self.get(prompt_id).text

    def media_uri(self, prompt_id: str) -> str:
        """The ARI ``media`` value; Asterisk adds the channel language and picks the format."""
        self.get(prompt_id)
        return f"sound:{self.sound_prefix}/{prompt_id}"

    def wav_path(self, sounds_root: Path, prompt_id: str) -> Path:
        """Where the WAV lives under a sounds directory laid out like Asterisk's."""
        self.get(prompt_id)
        return sounds_root / self.language / self.sound_prefix / f"{prompt_id}.wav"

    def check_audio(self, sounds_root: Path) -> list[str]:
        """Ids with no WAV under ``sounds_root``: a call would hear silence for them."""
        return [pid for pid in self.prompts if not self.wav_path(sounds_root, pid).is_file()]


_TOP = Shape(
    {"language": Kind.ANY, "sound_prefix": Kind.ANY, "prompts": Kind.MAPPING},
    required=frozenset({"language", "sound_prefix", "prompts"}),
    hint="with language, sound_prefix, prompts",
)
_PROMPT = Shape(
    {"text": Kind.ANY, "note": Kind.ANY}, required=frozenset({"text"}), hint="with text (and note)"
)


def _read(source: str, name: str, path: Path | None) -> PromptCatalogue:
    """Every problem of the file in one pass, so an admin fixes it in one go."""
    data = parse_data(source, name, CatalogueError)
    if data is None:
        raise CatalogueError([f"{name}:1: catalogue is empty"])
    err = Problems(name)
    top = _TOP.check(data, err, "", 1)
    if top is None:
        raise CatalogueError(err.items)
    language = _text(top, "language", err)
    if language and not _LANGUAGE_RE.match(language):
        err.add(top.line_of("language"), f"language {language!r} is not a code like 'en'")
    prefix = _text(top, "sound_prefix", err)
    if prefix and not _PREFIX_RE.match(prefix):
        err.add(top.line_of("sound_prefix"), f"sound_prefix {prefix!r} must be a plain folder name")
    node = top.get("prompts", LineDict())
    if "prompts" in top and not node:
        err.add(top.line_of("prompts"), "prompts must not be empty")
    prompts: dict[str, Prompt] = {}
    for pid, raw in node.items():
        line = node.line_of(pid)
        if not _ID_RE.match(pid):
            err.add(line, f"prompt id {pid!r} must be lower case letters, digits, _")
            continue
        fields = _PROMPT.check(raw, err, f"prompt {pid!r}", line)
        if fields is None:
            continue
        text, note = _text(fields, "text", err), _text(fields, "note", err)
        if text:
            prompts[pid] = Prompt(pid, text, note, line)
    err.raise_if_any(CatalogueError)
    return PromptCatalogue(language, prefix, prompts, path)


def _text(node: LineDict, key: str, err: Problems) -> str:
    """One line of text; YAML's own types (a number, yes/no) are the usual slip, so say so."""
    if key not in node:
        return ""
    value = node[key]
    if value is None:
        err.add(node.line_of(key), f"{key} must not be empty")
        return ""
    if not isinstance(value, str):
        err.add(
            node.line_of(key), f"{key} must be text (quote it if it looks like a number or yes/no)"
        )
        return ""
    text = " ".join(value.split())
    if not text:
        err.add(node.line_of(key), f"{key} must not be empty")
    return text
