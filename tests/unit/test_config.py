"""Settings from TOML and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings


def test_environment_overrides_the_file_and_the_password_stays_out_of_repr(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text(
        '[ari]\nurl = "http://10.0.0.5:8088"\nuser = "file-user"\n'
        '[destinations]\nrc = "PJSIP/rc-queue"\n'
    )
    settings = load_settings(
        cfg, env={"IVR_ARI_USER": "env-user", "IVR_ARI_PASSWORD": "s3cret", "IVR_DB": "x.db"}
    )
    assert settings.ari_url == "http://10.0.0.5:8088"
    assert settings.ari_user == "env-user"
    assert settings.db_path == "x.db"
    assert settings.destinations["rc"] == "PJSIP/rc-queue"
    assert settings.destinations["switchboard"] == "Local/switchboard@ivr-agents"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ari\n", "ivr.toml"),
        ("[nonsense]\nx = 1\n", "unknown section"),
        ("[ari]\nusr = 'x'\n", "unknown key 'usr'"),
        ("[ari]\nurl = 'ftp://x'\n", "http://"),
        ("[flow]\nring_timeout = 0\n", "ring_timeout"),
        ("[destinations]\nrc = 5\n", "endpoint strings"),
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
    with pytest.raises(ConfigError, match="IVR_ARI_PASSWORD"):
        load_settings(None, env={"IVR_ARI_URL": "http://user:secret@127.0.0.1:8088"})
