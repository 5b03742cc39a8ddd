"""Settings: a TOML file, then environment variables, then defaults.

Each feature owns its section and its checks (ivr.sections); this module reads the file,
refuses tables and keys no section declares, and composes the sections into one
``Settings``. Secrets (passwords, keys, tokens) are never part of a repr or a log line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

from ivr.analysis.settings import AnalysisSettings
from ivr.ari.settings import AriSettings
from ivr.callers.settings import CallerSettings
from ivr.chat.settings import ChatSettings
from ivr.console_settings import ConsoleSettings
from ivr.flow_settings import FlowSettings
from ivr.ha.settings import HaSettings
from ivr.http_settings import HttpSettings
from ivr.media.settings import ExternalMediaSettings
from ivr.message_settings import MessageSettings
from ivr.metrics_settings import MetricsSettings
from ivr.notify.settings import SmsSettings, TextSettings
from ivr.prompts import PromptSettings
from ivr.queues.settings import AppQueueSettings, CallbackDialSettings
from ivr.routing.settings import RoutingSettings
from ivr.rulesets_settings import RulesetSettings
from ivr.sections import ConfigError, Section, declared, read_section
from ivr.speech.settings import SpeechSettings
from ivr.store.settings import StoreSettings
from ivr.suggest.settings import SuggestSettings

__all__ = ["SECTIONS", "ConfigError", "Settings", "file_layout", "load_settings"]


@dataclass(frozen=True)
class Settings:
    """Every feature's section; in the file, each reads the tables it declares."""

    ari: AriSettings = field(default_factory=AriSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    prompts: PromptSettings = field(default_factory=PromptSettings)
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    flow: FlowSettings = field(default_factory=FlowSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    media: ExternalMediaSettings = field(default_factory=ExternalMediaSettings)
    callers: CallerSettings = field(default_factory=CallerSettings)
    queues: AppQueueSettings = field(default_factory=AppQueueSettings)
    callbacks: CallbackDialSettings = field(default_factory=CallbackDialSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    texts: TextSettings = field(default_factory=TextSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    messages: MessageSettings = field(default_factory=MessageSettings)
    suggest: SuggestSettings = field(default_factory=SuggestSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    rulesets: RulesetSettings = field(default_factory=RulesetSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    ha: HaSettings = field(default_factory=HaSettings)

    def overridden(self, changes: Mapping[str, Any]) -> Settings:
        """These settings with ``{"section.field": value}`` changed (tests, the demo);
        unchecked, as settings built in code are."""
        sections: dict[str, Any] = {}
        for dotted, value in changes.items():
            name, _, attr = dotted.partition(".")
            if name not in SECTIONS or not attr:
                raise KeyError(f"no setting {dotted!r}: use 'section.field'")
            sections[name] = replace(sections.get(name, getattr(self, name)), **{attr: value})
        return replace(self, **sections)


# Each field's default factory is its section's class.
SECTIONS = {f.name: cast(type[Section], f.default_factory) for f in fields(Settings)}


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from an optional TOML file and the environment (env wins)."""
    env = os.environ if env is None else env
    tables = _read(path) if path is not None else {}
    source = str(path) if path is not None else ""
    _refuse_undeclared(tables, source)
    sections: dict[str, Any] = {
        name: read_section(kind, tables, env, source) for name, kind in SECTIONS.items()
    }
    return Settings(**sections)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def file_layout() -> dict[str, set[str] | None]:
    """Each table the file may have -> its keys (None: any key, as in [destinations])."""
    layout: dict[str, set[str] | None] = {}
    for kind in SECTIONS.values():
        for table, key in declared(kind):
            keys = layout.setdefault(table, set())
            if key is None or keys is None:
                layout[table] = None
            else:
                keys.add(key)
    return layout


def _refuse_undeclared(tables: Mapping[str, Any], source: str) -> None:
    """A misspelt table or key is an error, not a setting silently left at its default."""
    layout = file_layout()
    for table, body in tables.items():
        if table not in layout:
            raise ConfigError(f"{source}: unknown section [{table}]")
        known = layout[table]
        if known is None:
            continue  # a whole table: its option's spec checks it
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{table}] must be a table of settings")
        for key in body:
            if key not in known:
                raise ConfigError(f"{source}: unknown key {key!r} in [{table}]")
