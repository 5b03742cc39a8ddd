"""Settings ``[callers]``: thresholds from the file, the key only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.callers.settings import CallerSettings
from ivr.config import ConfigError, load_settings


def test_defaults_are_safe_and_keyless() -> None:
    callers = load_settings(env={}).callers
    assert (callers.repeat_calls, callers.repeat_days) == (3, 7.0)
    assert (callers.nuisance_calls_per_day, callers.redial_link_hours) == (10, 2.0)
    assert callers.key == ""


def test_the_section_and_the_env_key_are_read(tmp_path: Path) -> None:
    path = tmp_path / "ivr.toml"
    path.write_text(
        "[callers]\nrepeat_calls = 4\nrepeat_days = 28\nnuisance_calls_per_day = 20\n"
        "redial_link_hours = 1.5\n"
    )
    settings = load_settings(path, env={"IVR_CALLER_KEY": "s3cret"})
    assert settings.callers == CallerSettings(
        key="s3cret",
        repeat_calls=4,
        repeat_days=28,
        nuisance_calls_per_day=20,
        redial_link_hours=1.5,
    )
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    "body",
    [
        "repeat_calls = 0",
        "repeat_calls = 2.5",
        "nuisance_calls_per_day = true",
        "repeat_days = -1",
        "redial_link_hours = 0",
        'key = "in-a-file"',  # a secret belongs in IVR_CALLER_KEY
    ],
)
def test_bad_values_are_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "ivr.toml"
    path.write_text(f"[callers]\n{body}\n")
    with pytest.raises(ConfigError):
        load_settings(path, env={})
