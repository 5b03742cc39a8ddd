"""Settings from TOML and the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ivr.config import SECTIONS, ConfigError, Settings, file_layout, load_settings
from ivr.notify.survey import REPLY_WINDOW
from ivr.queues.settings import AgentSpec, CallbackFirst, parse_agents
from ivr.sections import Refused, options
from ivr.speech.settings import SpeechEngine, WhisperPrompt
from ivr.store.settings import MIN_NUMBERS_DAYS


def test_environment_overrides_the_file_and_the_password_stays_out_of_repr(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(
        '[ari]\nurl = "http://10.0.0.5:8088"\nuser = "file-user"\n'
        '[destinations]\nrc = "PJSIP/rc-queue"\n'
    )
    settings = load_settings(
        cfg, env={"IVR_ARI_USER": "env-user", "IVR_ARI_PASSWORD": "s3cret", "IVR_DB": "x.db"}
    )
    assert settings.ari.url == "http://10.0.0.5:8088"
    assert settings.ari.user == "env-user"
    assert settings.store.db_path == "x.db"
    assert settings.flow.destinations["rc"] == "PJSIP/rc-queue"
    assert settings.flow.destinations["switchboard"] == "Local/switchboard@ivr-agents"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ari\n", "ivr.toml"),
        ("[nonsense]\nx = 1\n", "unknown section"),
        ("[ari]\nusr = 'x'\n", "unknown key 'usr'"),
        ("ari = 5\n", r"\[ari\] must be a table"),
        ("[ari]\nurl = 'ftp://x'\n", r"ivr.toml: \[ari\] url must start with http://"),
        ("[ari]\nuser = 5\n", r"\[ari\] user must be text, got 5"),
        ("[flow]\nring_timeout = 0\n", r"\[flow\] ring_timeout must be a positive number, got 0"),
        ("[destinations]\nrc = 5\n", r"ivr.toml: \[destinations\] maps names to endpoint strings"),
        (
            "[agents]\n'rc.1' = {endpoint = 'PJSIP/rc-1', queues = ['rc']}\n",
            r"ivr.toml: \[agents\] agent id 'rc.1'",
        ),
        (
            "[speech]\nengine = 'kaldi'\n",
            "engine must be combined, pocketsphinx, whisper, vosk or none",
        ),
        (
            "[speech]\nwhisper_prompt = 'surnames'\n",
            r"\[speech\] whisper_prompt must be domain, names or none, got 'surnames'",
        ),
        ("[media]\ncodec = 'opus'\n", r"\[media\] codec must be slin, ulaw or alaw, got 'opus'"),
        ("[routing]\nrules = 5\n", r"\[routing\] rules must be a path"),
        ("[http]\nport = -1\n", r"\[http\] port must be a positive number"),
        ("[store]\nnumbers_days = 0\n", "numbers_days must be a positive number of days"),
        ("[store]\nnumbers_days = 3\n", "at least 7: survey replies"),
        ("[store]\nrecords_days = 'a year'\n", "records_days must be a positive number"),
        ("[store]\nnumbers_days = 60\nrecords_days = 30\n", "not be longer than records_days"),
        ("[console]\naudit_days = 30\n", r"\[console\] audit_days must be a number of days >= 90"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    tmp_path: Path, text: str, message: str
) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, env={})


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml", env={})


def test_credentials_in_the_ari_url_are_refused_so_they_never_reach_a_log(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="IVR_ARI_PASSWORD") as caught:
        load_settings(None, env={"IVR_ARI_URL": "http://user:secret@127.0.0.1:8088"})
    assert str(caught.value).startswith("IVR_ARI_URL must hold no credentials")
    assert "secret" not in str(caught.value)


def test_agents_name_their_endpoint_and_the_queues_they_answer(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(
        "[agents]\n"
        'rc-1 = { endpoint = "PJSIP/rc-1", queues = ["rc"] }\n'
        'fcr-1 = { endpoint = "PJSIP/fcr-1", queues = ["fcr", "rc"] }\n'
    )
    settings = load_settings(cfg, env={})
    assert settings.queues.agents == {
        "rc-1": AgentSpec("PJSIP/rc-1", ("rc",)),
        "fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr", "rc")),
    }
    assert load_settings(None, env={}).queues.agents == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["rc-1"], "maps agent ids"),
        ({"rc-1": "PJSIP/rc-1"}, "'rc-1' needs an endpoint"),
        ({"rc-1": {"queues": ["rc"]}}, "needs an endpoint like PJSIP/rc-1"),
        ({"rc-1": {"endpoint": "", "queues": ["rc"]}}, "needs an endpoint"),
        ({"rc-1": {"endpoint": "rc-1", "queues": ["rc"]}}, "needs an endpoint"),
        ({"rc-1": {"endpoint": 5, "queues": ["rc"]}}, "needs an endpoint"),
        ({"rc-1": {"endpoint": "PJSIP/rc-1"}}, "'rc-1' needs a list of queues"),
        ({"rc-1": {"endpoint": "PJSIP/rc-1", "queues": []}}, "needs a list of queues"),
        ({"rc-1": {"endpoint": "PJSIP/rc-1", "queues": "rc"}}, "needs a list of queues"),
        ({"rc-1": {"endpoint": "PJSIP/rc-1", "queues": ["rc", ""]}}, "needs a list of queues"),
        ({"rc-1": {"endpoint": "PJSIP/rc-1", "queues": [1]}}, "needs a list of queues"),
        (
            {"rc-1": {"endpoint": "PJSIP/rc-1", "queues": ["rc"], "skill": 3}},
            r"unknown keys \['skill'\]",
        ),
    ],
)
def test_badly_shaped_agents_are_refused_naming_the_agent(body: object, message: str) -> None:
    with pytest.raises(Refused, match=message) as caught:
        parse_agents(body)
    assert not caught.value.show_value  # a table is too long to repeat in a message


def test_an_agents_key_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text("agents = 5\n")
    with pytest.raises(ConfigError, match=r"\[agents\] maps agent ids"):
        load_settings(cfg, env={})


def test_queue_settings_come_from_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(
        "[queues]\n"
        "announce_every = 45\n"
        "agent_away_s = 20.5\n"
        'callback_first = "caller"\n'
        'callback_dial = "PJSIP/{number}@trunk"\n'
        "callback_ring_timeout = 30\n"
    )
    settings = load_settings(cfg, env={})
    assert (settings.flow.queue_announce_every, settings.queues.agent_away_s) == (45, 20.5)
    assert settings.callbacks.first is CallbackFirst.CALLER
    assert settings.callbacks.dial == "PJSIP/{number}@trunk"
    assert settings.flow.callback_ring_timeout == 30
    assert load_settings(None, env={}).callbacks.first is CallbackFirst.AGENT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("callback_first = 'both'", "callback_first must be agent or caller, got 'both'"),
        ("callback_first = 'Agent'", "callback_first must be agent or caller"),
        ("callback_dial = 'Local/s@ivr-callback'", r"callback_dial must contain \{number\}"),
        ("announce_every = 0", r"\[queues\] announce_every must be a positive number, got 0"),
        ("agent_away_s = -1", "agent_away_s must be a positive number"),
        ("agent_away_s = '60'", "agent_away_s must be a positive number"),
        ("callback_ring_timeout = true", "callback_ring_timeout must be a positive number"),
        ("wrap_up = 10", r"unknown key 'wrap_up' in \[queues\]"),
        ("abandoned_sms_after_s = '60'", "abandoned_sms_after_s must be a number of seconds >= 0"),
        ("abandoned_sms_after_s = -1", "abandoned_sms_after_s must be a number of seconds >= 0"),
        ("abandoned_sms_offer = 'sms'", "abandoned_sms_offer must be both, callback or link"),
    ],
)
def test_bad_queue_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(f"[queues]\n{text}\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, env={})


@pytest.mark.parametrize(("text", "expected"), [("", True), ("survey = false", False)])
def test_the_survey_can_be_turned_off(tmp_path: Path, text: str, expected: bool) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(f"[sms]\n{text}\n")
    assert load_settings(cfg, env={}).sms.survey is expected


@pytest.mark.parametrize("value", ["'yes'", "'false'", "1", "0"])
def test_the_survey_switch_must_be_true_or_false(tmp_path: Path, value: str) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(f"[sms]\nsurvey = {value}\n")
    with pytest.raises(ConfigError, match=r"\[sms\] survey must be true or false"):
        load_settings(cfg, env={})


def test_numbers_are_kept_at_least_as_long_as_survey_replies_are_matched() -> None:
    assert timedelta(days=MIN_NUMBERS_DAYS) >= REPLY_WINDOW


def test_a_secret_from_a_file_loses_its_trailing_newline() -> None:
    settings = load_settings(None, env={"IVR_API_TOKEN": "0123456789abcdefXYZ\n"})
    assert settings.http.api_token == "0123456789abcdefXYZ"


# The file's tables and keys and the environment's variables, as README.md documents them:
# splitting Settings by feature must change none of them.
FILE_KEYS = {
    "chat": {
        "enabled",
        "schedule",
        "public_url",
        "link_minutes",
        "secret",
        "per_agent",
        "handle_minutes",
        "max_wait_minutes",
        "channel",
        "webhook_url",
        "webhook_status_url",
        "webhook_secret",
        "webhook_timeout",
    },
    "ari": {"url", "user", "password", "app"},
    "store": {"db", "numbers_days", "records_days"},
    "prompts": {"catalogue"},
    "http": {"host", "port"},
    "flow": {"first_digit_timeout", "ring_timeout", "menu_tries", "caller_id", "directory_dial"},
    "routing": {"rules", "meaning"},
    "speech": {"engine", "model", "whisper_prompt"},
    "media": {"bind", "advertise", "codec"},
    "callers": {"repeat_calls", "repeat_days", "nuisance_calls_per_day", "redial_link_hours"},
    "queues": {
        "announce_every",
        "agent_away_s",
        "callback_first",
        "callback_dial",
        "callback_ring_timeout",
        "callback_claim_s",
        "online_link",
        "abandoned_sms_after_s",
        "emergency_wait_s",
        "abandoned_sms_offer",
    },
    "sms": {
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
    },
    "console": {
        "idle_minutes",
        "absolute_hours",
        "secure_cookie",
        "trusted_proxies",
        "login_failures",
        "login_window_s",
        "audit_days",
    },
    "messages": {"sounds_dir", "render_timeout_s", "all_callers_max_s"},
    "suggest": {"min_calls", "days", "min_share", "min_lift", "example_ratio"},
    "analysis": {"answer_target_s", "service_level_goal"},
    "rulesets": {"publish_warn_share", "replay_days", "max_file_mb"},
    "metrics": {"scrapers"},
    "ha": {"enabled", "node", "lease_s"},
    "destinations": None,  # any name
    "agents": None,  # any agent id
}
VARIABLES = {
    "IVR_ARI_URL",
    "IVR_HA",
    "IVR_HA_NODE",
    "IVR_ARI_USER",
    "IVR_ARI_PASSWORD",
    "IVR_ARI_APP",
    "IVR_DB",
    "IVR_RULES",
    "IVR_MEANING",
    "IVR_SPEECH_ENGINE",
    "IVR_SPEECH_MODEL",
    "IVR_CALLER_KEY",
    "IVR_SMS_URL",
    "IVR_SMS_AUTH",
    "IVR_SMS_INBOUND_SECRET",
    "IVR_API_TOKEN",
    "IVR_METRICS_TOKEN",
    "IVR_CONSOLE_SECURE_COOKIE",
    "IVR_CHAT_SECRET",
    "IVR_CHAT_WEBHOOK_SECRET",
}


def test_the_sections_read_the_documented_tables_keys_and_variables() -> None:
    assert file_layout() == FILE_KEYS
    variables = {found.env for s in SECTIONS.values() for _, found in options(s) if found.env}
    assert variables == VARIABLES


def test_every_variable_is_read(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    env = {
        "IVR_ARI_URL": "https://pbx.example:8089",
        "IVR_ARI_USER": "u",
        "IVR_ARI_PASSWORD": "pw",
        "IVR_ARI_APP": "app",
        "IVR_DB": "calls.db",
        "IVR_RULES": str(rules),
        "IVR_SPEECH_ENGINE": "vosk",
        "IVR_SPEECH_MODEL": "models/vosk",
        "IVR_CALLER_KEY": "key",
        "IVR_SMS_URL": "https://sms.example/",
        "IVR_SMS_AUTH": "auth",
        "IVR_SMS_INBOUND_SECRET": "hook",
        "IVR_API_TOKEN": "0123456789abcdef",
    }
    s = load_settings(None, env=env)
    assert (s.ari.url, s.ari.user, s.ari.password, s.ari.app) == (
        "https://pbx.example:8089",
        "u",
        "pw",
        "app",
    )
    assert (s.store.db_path, s.routing.rules_dir) == ("calls.db", rules)
    assert (s.speech.engine, s.speech.model) == (SpeechEngine.VOSK, Path("models/vosk"))
    assert (s.callers.key, s.sms.url, s.sms.auth_value, s.sms.inbound_secret) == (
        "key",
        "https://sms.example/",
        "auth",
        "hook",
    )
    assert s.http.api_token == "0123456789abcdef"


def test_settings_are_overridden_by_section_and_field() -> None:
    settings = Settings().overridden({"flow.ring_timeout": 10, "sms.url": "http://x/"})
    assert (settings.flow.ring_timeout, settings.sms.url) == (10, "http://x/")
    assert settings.flow.caller_id == Settings().flow.caller_id
    with pytest.raises(KeyError, match=r"section\.field"):
        Settings().overridden({"ring_timeout": 10})


def test_whisper_prompt_is_read_and_defaults_to_no_prompt(tmp_path: Path) -> None:
    assert load_settings(None, env={}).speech.whisper_prompt is WhisperPrompt.NONE
    cfg = tmp_path / "ivr.toml"
    cfg.write_text('[speech]\nwhisper_prompt = "names"\n')
    assert load_settings(cfg, env={}).speech.whisper_prompt is WhisperPrompt.NAMES
