"""[sms] settings: secrets from the environment, safe defaults, bad set-ups refused early."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings


def test_sms_is_off_by_default_and_surveys_exclude_domestic_abuse() -> None:
    sms = load_settings(env={}).sms
    assert sms.url == ""
    assert "domestic_abuse" in sms.survey_excluded


def test_sms_settings_come_from_the_file_and_secrets_from_the_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(
        "[sms]\n"
        'url = "https://sms.example/v1/messages"\n'
        'auth_header = "X-Api-Key"\n'
        'body_template = \'{"msisdn": "{to}", "text": "{body}"}\'\n'
        "success_statuses = [200, 202]\n"
        "max_attempts = 5\n"
        'survey_excluded = ["domestic_abuse", "hate_crime"]\n'
    )
    settings = load_settings(
        cfg, env={"IVR_SMS_AUTH": "key-s3cret", "IVR_SMS_INBOUND_SECRET": "hook-s3cret"}
    )
    sms = settings.sms
    assert sms.url == "https://sms.example/v1/messages"
    assert sms.auth_header == "X-Api-Key"
    assert sms.auth_value == "key-s3cret"
    assert sms.inbound_secret == "hook-s3cret"
    assert sms.success_statuses == (200, 202)
    assert sms.survey_excluded == ("domestic_abuse", "hate_crime")
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sms]\nurl = 'ftp://x'\n", "http://"),
        ("[sms]\nurl = 'https://user:pw@sms.example/'\n", "credentials"),
        ("[sms]\nbody_template = '{to}'\n", "not JSON"),
        ('[sms]\nbody_template = \'{"to": "{number}"}\'\n', "unknown placeholder"),
        ("[sms]\nsuccess_statuses = [200, 500]\n", "2xx"),
        ("[sms]\nmax_attempts = 0\n", "max_attempts"),
        ("[sms]\nmethod = 'GET'\n", "POST"),
        ("[sms]\nsurvey_excluded = 'domestic_abuse'\n", "list"),
        ("[sms]\nnonsense = 1\n", "unknown key"),
    ],
)
def test_bad_sms_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, env={})
