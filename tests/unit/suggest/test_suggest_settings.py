"""[suggest]: read from the file like every section, with its own checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import ConfigError, load_settings
from ivr.suggest.settings import SuggestSettings


def settings_from(tmp_path: Path, body: str) -> SuggestSettings:
    path = tmp_path / "ivr.toml"
    path.write_text(f"[suggest]\n{body}\n", encoding="utf-8")
    return load_settings(path, env={}).suggest


def test_defaults_are_three_calls_in_28_days() -> None:
    suggest = load_settings(None, env={}).suggest
    assert (suggest.min_calls, suggest.days) == (3, 28.0)


def test_the_file_sets_them(tmp_path: Path) -> None:
    suggest = settings_from(tmp_path, "min_calls = 5\ndays = 7\nmin_share = 0.8")
    assert (suggest.min_calls, suggest.days, suggest.min_share) == (5, 7, 0.8)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("min_calls = 0", "whole number >= 1"),
        ("min_share = 1.5", "between 0 and 1"),
        ("example_ratio = 101", "between 0 and 100"),
        ("min_lift = 0.5", ">= 1"),
    ],
)
def test_bad_values_are_refused_in_words(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from(tmp_path, body)
