"""[chat]: a webhook channel that could not work is refused when the settings load."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings

WEBHOOK = '[chat]\nenabled = true\nchannel = "webhook"\n'


def test_a_webhook_chat_without_its_url_or_secret_is_refused_at_load(tmp_path: Path) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text(WEBHOOK)
    with pytest.raises(ConfigError, match="webhook_url"):
        load_settings(config, env={})
    config.write_text(WEBHOOK + 'webhook_url = "https://chat.example/start"\n')
    with pytest.raises(ConfigError, match="IVR_CHAT_WEBHOOK_SECRET"):
        load_settings(config, env={})
    settings = load_settings(config, env={"IVR_CHAT_WEBHOOK_SECRET": "w" * 32})
    assert settings.chat.webhook_secret == "w" * 32


def test_the_built_in_chat_needs_no_webhook_settings(tmp_path: Path) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text("[chat]\nenabled = true\n")
    assert load_settings(config, env={}).chat.enabled
