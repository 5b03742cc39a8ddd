"""The prompt catalogue: prompt ids, what they say, and where Asterisk finds them.

Admins edit ``prompts/catalogue.yaml``; a typo there must be reported with its
line number, never half-loaded, so the file is walked as a YAML node tree
(``yaml.compose``) instead of being turned into plain dicts, which would
silently keep the last of two duplicate keys and forget where anything was.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from ivr.yamlfile import DataFileError

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# Ids become file names and sound URIs, so keep them to what every filesystem takes.
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2})?$")
_TOP_KEYS = ("language", "sound_prefix", "prompts")
_PROMPT_KEYS = ("text", "note")


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
        return _Parser(str(path) if path else "<catalogue>").parse(source, path)

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


class _Parser:
    """Collects every problem in one pass so an admin fixes the file in one go."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []

    def error(self, node: Node | None, message: str, line: int | None = None) -> None:
        if line is None:
            line = node.start_mark.line + 1 if node is not None else 1
        self.errors.append(f"{self.name}:{line}: {message}")

    def parse(self, source: str, path: Path | None) -> PromptCatalogue:
        try:
            root = yaml.compose(source, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc)
            raise CatalogueError([f"{self.name}:{line}: YAML syntax error: {problem}"]) from exc
        if root is None:
            raise CatalogueError([f"{self.name}:1: catalogue is empty"])
        if not isinstance(root, MappingNode):
            self.error(root, "catalogue must be a mapping with language, sound_prefix, prompts")
            raise CatalogueError(self.errors)

        top = self.mapping_items(root, _TOP_KEYS, "top-level key")
        language = self.string(top.get("language"), "language", root)
        if language and not _LANGUAGE_RE.match(language):
            self.error(top["language"][1], f"language {language!r} is not a code like 'en'")
        prefix = self.string(top.get("sound_prefix"), "sound_prefix", root)
        if prefix and not _PREFIX_RE.match(prefix):
            self.error(
                top["sound_prefix"][1], f"sound_prefix {prefix!r} must be a plain folder name"
            )
        prompts = self.prompts(top.get("prompts"), root)
        if self.errors:
            raise CatalogueError(self.errors)
        return PromptCatalogue(language, prefix, prompts, path)

    def mapping_items(
        self, node: MappingNode, allowed: tuple[str, ...] | None, what: str
    ) -> dict[str, tuple[ScalarNode, Node]]:
        """Key → (key node, value node), reporting duplicates and (if given) unknown keys."""
        items: dict[str, tuple[ScalarNode, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR_TAG:
                self.error(key_node, f"{what} must be a plain name")
                continue
            key = str(key_node.value)
            if key in items:
                first = items[key][0].start_mark.line + 1
                self.error(key_node, f"duplicate {what} {key!r} (first at line {first})")
                continue
            if allowed is not None and key not in allowed:
                self.error(
                    key_node, f"unknown {what} {key!r} (expected one of: {', '.join(allowed)})"
                )
                continue
            items[key] = (key_node, value_node)
        return items

    def string(
        self, item: tuple[ScalarNode, Node] | None, key: str, parent: Node, *, required: bool = True
    ) -> str:
        if item is None:
            if required:
                self.error(parent, f"missing required key {key!r}")
            return ""
        value = item[1]
        if isinstance(value, ScalarNode) and value.tag == _NULL_TAG:
            self.error(value, f"{key} must not be empty")
            return ""
        if not isinstance(value, ScalarNode) or value.tag != _STR_TAG:
            self.error(value, f"{key} must be text (quote it if it looks like a number or yes/no)")
            return ""
        text = " ".join(str(value.value).split())
        if not text:
            self.error(value, f"{key} must not be empty")
        return text

    def prompts(self, item: tuple[ScalarNode, Node] | None, root: Node) -> dict[str, Prompt]:
        if item is None:
            self.error(root, "missing required key 'prompts'")
            return {}
        node = item[1]
        if not isinstance(node, MappingNode):
            self.error(node, "prompts must be a mapping of prompt id to {text, note}")
            return {}
        if not node.value:
            self.error(node, "prompts must not be empty")
        result: dict[str, Prompt] = {}
        for pid, (key_node, value) in self.mapping_items(node, None, "prompt id").items():
            if not _ID_RE.match(pid):
                self.error(key_node, f"prompt id {pid!r} must be lower case letters, digits, _")
                continue
            if not isinstance(value, MappingNode):
                self.error(value, f"prompt {pid!r} must be a mapping with text (and note)")
                continue
            fields = self.mapping_items(value, _PROMPT_KEYS, f"key in prompt {pid!r}")
            text = self.string(fields.get("text"), "text", key_node)
            note = self.string(fields.get("note"), "note", key_node, required=False)
            if text:
                result[pid] = Prompt(pid, text, note, key_node.start_mark.line + 1)
        return result
