"""Settings: a TOML file, then environment variables, then defaults.

The password is never part of a repr or a log line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ivr.operator_auth import MIN_TOKEN_LENGTH
from ivr.shipped import PROMPT_CATALOGUE

DEFAULT_PROMPTS = PROMPT_CATALOGUE

# Transfer legs ring the dialplan's [ivr-agents] context (dialplans/extensions.conf),
# so a force turns a destination into a ring group or Queue() without touching the app.
DEFAULT_DESTINATIONS: Mapping[str, str] = {
    "emergency": "Local/fcr-priority@ivr-agents",
    "fcr": "Local/fcr@ivr-agents",
    "rc": "Local/rc@ivr-agents",
    "switchboard": "Local/switchboard@ivr-agents",
}


# SMS (ivr/notify). The body template is JSON; "{to}", "{body}", "{sender}", "{reference}"
# inside its strings are filled per message (JSON-escaped). Surveys are never sent for calls
# in these categories: the phone may be read by the person the caller reported.
DEFAULT_SMS_BODY_TEMPLATE = (
    '{"to": "{to}", "from": "{sender}", "body": "{body}", "reference": "{reference}"}'
)
DEFAULT_SURVEY_EXCLUDED = ("domestic_abuse", "sexual_offence", "stalking_harassment", "child_abuse")


# Survey replies are matched by the number texted for this long (ivr.notify.survey).
MIN_NUMBERS_DAYS = 7
AGENT_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


class ConfigError(ValueError):
    error_id = "config-invalid"


@dataclass(frozen=True)
class AgentSpec:
    """A person the app's queues dial: their endpoint and the queues they answer."""

    endpoint: str
    queues: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    ari_url: str = "http://127.0.0.1:8088"
    ari_user: str = "ivr101"
    ari_password: str = field(default="", repr=False)
    ari_app: str = "ivr101"
    db_path: str = "var/ivr101.db"
    prompts: Path = DEFAULT_PROMPTS
    http_host: str = "127.0.0.1"
    http_port: int = 8101
    destinations: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_DESTINATIONS))
    first_digit_timeout: float = 6.0
    ring_timeout: int = 30
    menu_tries: int = 3
    ws_heartbeat: float = 20.0
    caller_id: str = '"Police 101" <101>'
    # How a directory extension is dialled: [ivr-agents] _dir-X. in dialplans/extensions.conf.
    directory_dial: str = "Local/dir-{extension}@ivr-agents"
    rules_dir: Path | None = None  # None: the shipped routing_rules/
    # Speech: engine combined | pocketsphinx | whisper | vosk | none; model folder (vosk:
    # required; whisper: None = the packaged base model, assembled into var/models).
    # combined (the default, chosen by bench/asr.py): PocketSphinx, and Whisper when unsure.
    speech_engine: str = "combined"
    speech_model: Path | None = None
    # Where Asterisk's ExternalMedia RTP reaches us: bind locally, advertise to Asterisk.
    media_bind: str = "127.0.0.1"
    media_advertise: str = "127.0.0.1"
    media_codec: str = "slin"
    # Caller history (ivr/callers): the HMAC key for pseudonyms comes from IVR_CALLER_KEY only
    # (a secret, kept out of config files); "" = a random key per process (logged warning).
    caller_key: str = field(default="", repr=False)
    repeat_calls: int = 3  # "repeat": this many calls (this one included) ...
    repeat_days: float = 7.0  # ... within this many days
    nuisance_calls_per_day: int = 10  # "nuisance": more calls than this in 24 hours
    redial_link_hours: float = 2.0  # a re-dial this soon after an abandoned call is linked
    # SMS: no URL = SMS disabled (messages are stored and stay queued). The auth value and
    # inbound secret are secrets: from IVR_SMS_AUTH / IVR_SMS_INBOUND_SECRET, never in a repr.
    sms_url: str = ""
    sms_method: str = "POST"
    sms_auth_header: str = "Authorization"
    sms_auth_value: str = field(default="", repr=False)
    sms_body_template: str = DEFAULT_SMS_BODY_TEMPLATE
    sms_sender: str = ""
    sms_success_statuses: tuple[int, ...] = (200, 201, 202)
    sms_timeout: float = 10.0
    sms_id_field: str = "id"  # dotted path to the provider's message id in its JSON answer
    sms_idempotency_header: str = ""  # e.g. "Idempotency-Key": the message reference is sent
    sms_max_attempts: int = 8
    sms_backoff_base: float = 30.0  # seconds; doubles per attempt, with jitter
    sms_backoff_max: float = 3600.0
    sms_max_age_hours: float = 24.0  # unsent by then: failed as expired, not sent late
    sms_inbound_secret: str = field(default="", repr=False)  # "" = webhook refuses everything
    sms_inbound_header: str = "X-Sms-Secret"
    sms_survey: bool = True  # text the survey after a call a person answered
    sms_survey_excluded: tuple[str, ...] = DEFAULT_SURVEY_EXCLUDED
    # Queues run by the app (ivr/queues): a destination with agents here waits in the app's
    # holding bridge and the app dials a free agent; without agents it rings [destinations]
    # (the dialplan's own ring group or Queue()). [agents] in the TOML file: id = {endpoint =
    # "PJSIP/rc-1", queues = ["rc"]}.
    agents: Mapping[str, AgentSpec] = field(default_factory=dict)
    queue_announce_every: float = 60.0  # position and wait, then the callback offer
    agent_away_s: float = 60.0  # an agent who did not answer is skipped this long
    # Callbacks: who is rung first, and how the caller's number is dialled.
    callback_first: str = "agent"  # agent | caller
    callback_dial: str = "Local/{number}@ivr-callback"
    callback_ring_timeout: int = 25
    # The link texted for online reporting, live chat and tracking a report.
    online_link: str = "https://www.police.uk/"
    # An emergency transfer waits at most this long in an app-run queue before it goes on
    # down the chain (FCR → switchboard): no agent free, all away, or all on long calls.
    emergency_wait_s: float = 30.0
    abandoned_sms_after_s: float = 60.0  # queue abandonments this long get an SMS; 0 = never
    abandoned_sms_offer: str = "both"  # the text offers: both | callback | link
    # Operator API (/api/...): a bearer token from IVR_API_TOKEN only; "" = the API is off.
    api_token: str = field(default="", repr=False)
    # Retention (ivr/store/retention.py), run at start-up and daily: caller numbers and names
    # are blanked after numbers_days; calls and everything about them deleted after
    # records_days (decisions keep what callers said until then, for testing rule changes).
    retention_numbers_days: float = 30.0
    retention_records_days: float = 400.0

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_ENV = {
    "IVR_ARI_URL": "ari_url",
    "IVR_ARI_USER": "ari_user",
    "IVR_ARI_PASSWORD": "ari_password",
    "IVR_ARI_APP": "ari_app",
    "IVR_DB": "db_path",
    "IVR_RULES": "rules_dir",
    "IVR_SPEECH_ENGINE": "speech_engine",
    "IVR_SPEECH_MODEL": "speech_model",
    "IVR_CALLER_KEY": "caller_key",
    "IVR_SMS_URL": "sms_url",
    "IVR_SMS_AUTH": "sms_auth_value",
    "IVR_SMS_INBOUND_SECRET": "sms_inbound_secret",
    "IVR_API_TOKEN": "api_token",
}

_FILE_KEYS: Mapping[str, Mapping[str, str]] = {
    "ari": {"url": "ari_url", "user": "ari_user", "password": "ari_password", "app": "ari_app"},
    "store": {
        "db": "db_path",
        "numbers_days": "retention_numbers_days",
        "records_days": "retention_records_days",
    },
    "prompts": {"catalogue": "prompts"},
    "http": {"host": "http_host", "port": "http_port"},
    "flow": {
        "first_digit_timeout": "first_digit_timeout",
        "ring_timeout": "ring_timeout",
        "menu_tries": "menu_tries",
        "caller_id": "caller_id",
        "directory_dial": "directory_dial",
    },
    "routing": {"rules": "rules_dir"},
    "speech": {"engine": "speech_engine", "model": "speech_model"},
    "media": {"bind": "media_bind", "advertise": "media_advertise", "codec": "media_codec"},
    "callers": {
        "repeat_calls": "repeat_calls",
        "repeat_days": "repeat_days",
        "nuisance_calls_per_day": "nuisance_calls_per_day",
        "redial_link_hours": "redial_link_hours",
    },
    "queues": {
        "announce_every": "queue_announce_every",
        "agent_away_s": "agent_away_s",
        "callback_first": "callback_first",
        "callback_dial": "callback_dial",
        "callback_ring_timeout": "callback_ring_timeout",
        "online_link": "online_link",
        "abandoned_sms_after_s": "abandoned_sms_after_s",
        "emergency_wait_s": "emergency_wait_s",
        "abandoned_sms_offer": "abandoned_sms_offer",
    },
    "sms": {
        key: f"sms_{key}"
        for key in (
            "url",
            "method",
            "auth_header",
            "auth_value",
            "body_template",
            "sender",
            "success_statuses",
            "timeout",
            "id_field",
            "idempotency_header",
            "max_attempts",
            "backoff_base",
            "backoff_max",
            "max_age_hours",
            "inbound_secret",
            "inbound_header",
            "survey",
            "survey_excluded",
        )
    },
}


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from an optional TOML file and the environment (env wins)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    destinations = dict(DEFAULT_DESTINATIONS)
    agents: dict[str, AgentSpec] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        for section, body in data.items():
            if section == "destinations":
                if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
                    raise ConfigError(f"{path}: [destinations] maps names to endpoint strings")
                destinations.update(body)
                continue
            if section == "agents":
                agents = parse_agents(body, str(path))
                continue
            keys = _FILE_KEYS.get(section)
            if keys is None or not isinstance(body, dict):
                raise ConfigError(f"{path}: unknown section [{section}]")
            for key, value in body.items():
                if key not in keys:
                    raise ConfigError(f"{path}: unknown key {key!r} in [{section}]")
                values[keys[key]] = value
    for name, attr in _ENV.items():
        if env.get(name, "").strip():
            values[attr] = env[name].strip()  # a secret read from a file ends in a newline
    for key in ("prompts", "rules_dir", "speech_model"):
        if key in values:
            values[key] = Path(values[key])
    for key in ("sms_success_statuses", "sms_survey_excluded"):
        if isinstance(values.get(key), list):
            values[key] = tuple(values[key])
    settings = Settings(destinations=destinations, agents=agents, **values)
    _validate(settings)
    _validate_sms(settings)
    return settings


def parse_agents(body: object, where: str) -> dict[str, AgentSpec]:
    """[agents]: id = {endpoint = "PJSIP/rc-1", queues = ["rc", "fcr"]}."""
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: [agents] maps agent ids to {{endpoint, queues}}")
    agents: dict[str, AgentSpec] = {}
    for agent_id, spec in body.items():
        if not AGENT_ID.fullmatch(agent_id):
            # The id marks the channels that ring the agent (ivr.channel_ids): no dots.
            raise ConfigError(
                f"{where}: agent id {agent_id!r}: use letters, digits, '-' and '_' (up to 40)"
            )
        endpoint = spec.get("endpoint") if isinstance(spec, dict) else None
        queues = spec.get("queues") if isinstance(spec, dict) else None
        if not isinstance(endpoint, str) or "/" not in endpoint:
            raise ConfigError(f"{where}: agent {agent_id!r} needs an endpoint like PJSIP/rc-1")
        if (
            not isinstance(queues, list)
            or not queues
            or not all(isinstance(q, str) and q for q in queues)
        ):
            raise ConfigError(f"{where}: agent {agent_id!r} needs a list of queues")
        extra = set(spec) - {"endpoint", "queues"}
        if extra:
            raise ConfigError(f"{where}: agent {agent_id!r}: unknown keys {sorted(extra)}")
        agents[str(agent_id)] = AgentSpec(endpoint, tuple(queues))
    return agents


def _positive(settings: Settings, section: str, *names: str) -> None:
    for name in names:
        value = getattr(settings, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{section}{name} must be a positive number, got {value!r}")


def _validate(settings: Settings) -> None:
    if not settings.ari_url.startswith(("http://", "https://")):
        raise ConfigError(f"ARI URL must start with http:// or https://, got {settings.ari_url!r}")
    if "@" in settings.ari_url.split("//", 1)[1].split("/", 1)[0]:
        # Credentials in the URL would end up in logs; they belong in IVR_ARI_USER/PASSWORD.
        raise ConfigError(
            "put the ARI user and password in IVR_ARI_USER / IVR_ARI_PASSWORD, not the URL"
        )
    missing = {"switchboard", "rc", "fcr", "emergency"} - set(settings.destinations)
    if missing:
        raise ConfigError(f"[destinations] lacks {', '.join(sorted(missing))}")
    if settings.speech_engine not in ("combined", "pocketsphinx", "whisper", "vosk", "none"):
        raise ConfigError(
            "speech engine must be combined, pocketsphinx, whisper, vosk or none, "
            f"not {settings.speech_engine!r}"
        )
    if settings.media_codec not in ("slin", "ulaw", "alaw"):
        raise ConfigError(f"media codec must be slin, ulaw or alaw, not {settings.media_codec!r}")
    _positive(
        settings,
        "",
        "first_digit_timeout",
        "ring_timeout",
        "menu_tries",
        "http_port",
        "repeat_days",
        "redial_link_hours",
    )
    if settings.callback_first not in ("agent", "caller"):
        raise ConfigError(
            f"[queues] callback_first must be agent or caller, not {settings.callback_first!r}"
        )
    if "{number}" not in settings.callback_dial:
        raise ConfigError("[queues] callback_dial must contain {number}")
    _positive(
        settings,
        "[queues] ",
        "queue_announce_every",
        "agent_away_s",
        "callback_ring_timeout",
        "emergency_wait_s",
    )
    after = settings.abandoned_sms_after_s
    if not isinstance(after, int | float) or isinstance(after, bool) or after < 0:
        raise ConfigError(f"[queues] abandoned_sms_after_s must be seconds >= 0, got {after!r}")
    if settings.abandoned_sms_offer not in ("both", "callback", "link"):
        raise ConfigError(
            "[queues] abandoned_sms_offer must be both, callback or link, "
            f"not {settings.abandoned_sms_offer!r}"
        )
    for name in ("repeat_calls", "nuisance_calls_per_day"):
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"[callers] {name} must be a whole number >= 1, got {value!r}")
    if settings.api_token and len(settings.api_token) < MIN_TOKEN_LENGTH:
        raise ConfigError(f"IVR_API_TOKEN must be at least {MIN_TOKEN_LENGTH} characters")
    for key in ("numbers_days", "records_days"):
        days = getattr(settings, f"retention_{key}")
        if not isinstance(days, int | float) or isinstance(days, bool) or days <= 0:
            raise ConfigError(f"[store] {key} must be a positive number of days, got {days!r}")
    if settings.retention_numbers_days < MIN_NUMBERS_DAYS:
        raise ConfigError(
            f"[store] numbers_days must be at least {MIN_NUMBERS_DAYS}: survey replies are"
            " matched to the survey by the number it was sent to"
        )
    if settings.retention_numbers_days > settings.retention_records_days:
        raise ConfigError("[store] numbers_days must not be longer than records_days")


def _validate_sms(settings: Settings) -> None:
    """Refuse an SMS set-up that would fail on the first text rather than at start-up."""
    from ivr.notify.gateway import TemplateError, check_template  # notify imports config

    url = settings.sms_url
    if url:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"[sms] url must start with http:// or https://, got {url!r}")
        if "@" in url.split("//", 1)[1].split("/", 1)[0]:
            raise ConfigError("[sms] put credentials in auth_header / IVR_SMS_AUTH, not the URL")
    if settings.sms_method.upper() not in ("POST", "PUT", "PATCH"):
        raise ConfigError(f"[sms] method must be POST, PUT or PATCH, not {settings.sms_method!r}")
    try:
        check_template(settings.sms_body_template)
    except TemplateError as exc:
        raise ConfigError(f"[sms] body_template: {exc}") from exc
    statuses = settings.sms_success_statuses
    if not statuses or not all(
        isinstance(n, int) and not isinstance(n, bool) and 200 <= n <= 299 for n in statuses
    ):
        raise ConfigError(f"[sms] success_statuses must be 2xx codes, got {statuses!r}")
    for name in ("sms_timeout", "sms_backoff_base", "sms_backoff_max", "sms_max_age_hours"):
        value = getattr(settings, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"[sms] {name[4:]} must be a positive number, got {value!r}")
    attempts = settings.sms_max_attempts
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise ConfigError(f"[sms] max_attempts must be a whole number >= 1, got {attempts!r}")
    excluded = settings.sms_survey_excluded
    if not isinstance(excluded, tuple) or not all(isinstance(c, str) for c in excluded):
        raise ConfigError("[sms] survey_excluded must be a list of category names")
    if not isinstance(settings.sms_survey, bool):
        raise ConfigError(f"[sms] survey must be true or false, got {settings.sms_survey!r}")
