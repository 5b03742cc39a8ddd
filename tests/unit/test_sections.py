"""The shared checks of settings sections (ivr.sections): one wording everywhere, the
source of a refused value named, a secret never repeated."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pytest

from ivr.sections import (
    AT_LEAST_ONE,
    PATH,
    POSITIVE,
    TEXT,
    Choice,
    ConfigError,
    HttpUrl,
    Names,
    Number,
    Refused,
    Section,
    Spec,
    Token,
    declared,
    option,
    read_section,
)


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@dataclass(frozen=True)
class Sample(Section):
    TABLE = "sample"

    name: str = option("x", TEXT, env="IVR_NAME")
    count: int = option(1, AT_LEAST_ONE, key="how_many")
    colour: Colour = option(Colour.RED, Choice(Colour), table="paint", env="IVR_COLOUR")
    password: str = option("", TEXT, env="IVR_PASSWORD", secret=True)
    token: str = option("", Token(8), env="IVR_TOKEN", file=False, secret=True)
    not_a_setting: float = 2.0

    def validate(self) -> None:
        if self.name == "forbidden":
            raise ConfigError("[sample] name must not be forbidden")


@pytest.mark.parametrize(
    ("spec", "value", "complaint"),
    [
        (POSITIVE, 0, "must be a positive number"),
        (POSITIVE, True, "must be a positive number"),  # TOML's true is no number
        (POSITIVE, float("inf"), "must be a positive number"),
        (AT_LEAST_ONE, 2.5, "must be a whole number >= 1"),
        (Number(inclusive=True, unit="seconds"), -1, "must be a number of seconds >= 0"),
        (Number(unit="days"), "a year", "must be a positive number of days"),
        (TEXT, 5, "must be text"),
        (PATH, "", "must be a path"),
        (Names("category names"), "abuse", "must be a list of category names"),
        (Choice(Colour), "Red", "must be red, green or blue"),
        (HttpUrl("IVR_X_USER"), "ftp://x", "must start with http:// or https://"),
        (HttpUrl("IVR_X_USER"), "", "must start with http:// or https://"),
        (
            HttpUrl("IVR_X_USER"),
            "https://u:p@h/",
            "must hold no credentials: put them in IVR_X_USER",
        ),
        (Token(8), "short", "must be at least 8 characters"),
    ],
)
def test_a_spec_refuses_in_one_wording(spec: Spec, value: object, complaint: str) -> None:
    with pytest.raises(Refused) as caught:
        spec.read(value)
    assert caught.value.complaint == complaint


@pytest.mark.parametrize(
    ("spec", "value", "read"),
    [
        (POSITIVE, 6, 6),
        (Number(inclusive=True), 0, 0),
        (PATH, "rules", Path("rules")),
        (Names(), ["a", "b"], ("a", "b")),
        (Choice(Colour), "green", Colour.GREEN),
        (HttpUrl("X", optional=True), "", ""),
        (Token(8), "", ""),  # none: the feature is off
    ],
)
def test_a_spec_turns_a_value_into_the_fields_type(
    spec: object, value: object, read: object
) -> None:
    assert spec.read(value) == read  # type: ignore[attr-defined]


def test_a_choice_may_take_any_case() -> None:
    class Method(StrEnum):
        POST = "POST"

    assert Choice(Method, fold_case=True).read("post") is Method.POST


def test_the_environment_wins_over_the_file_and_unset_options_keep_their_default() -> None:
    tables = {"sample": {"name": "file", "how_many": 3}, "paint": {"colour": "blue"}}
    sample = read_section(Sample, tables, {"IVR_NAME": " env\n"}, "ivr.toml")
    assert sample == Sample(name="env", count=3, colour=Colour.BLUE)
    assert read_section(Sample, {}, {"IVR_NAME": "  "}, "ivr.toml") == Sample()


def test_a_refusal_names_the_file_table_and_key_or_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"^ivr.toml: \[sample\] how_many must be a whole"):
        read_section(Sample, {"sample": {"how_many": 0}}, {}, "ivr.toml")
    with pytest.raises(ConfigError, match=r"^ivr.toml: \[paint\] colour must be red, green"):
        read_section(Sample, {"paint": {"colour": "pink"}}, {}, "ivr.toml")
    with pytest.raises(ConfigError, match=r"^IVR_COLOUR must be red, green or blue, got 'pink'$"):
        read_section(Sample, {"paint": {"colour": "red"}}, {"IVR_COLOUR": "pink"}, "ivr.toml")


def test_a_secret_is_never_repeated_in_a_refusal_or_a_repr() -> None:
    with pytest.raises(ConfigError) as caught:
        read_section(Sample, {"sample": {"password": 12345}}, {}, "ivr.toml")
    assert str(caught.value) == "ivr.toml: [sample] password must be text"
    with pytest.raises(ConfigError) as caught:
        read_section(Sample, {}, {"IVR_TOKEN": "s3cret"}, "ivr.toml")
    assert str(caught.value) == "IVR_TOKEN must be at least 8 characters"
    sample = read_section(
        Sample, {}, {"IVR_PASSWORD": "pw-s3cret", "IVR_TOKEN": "t0ken-s3cret"}, ""
    )
    assert (sample.password, sample.token) == ("pw-s3cret", "t0ken-s3cret")
    assert "s3cret" not in repr(sample)


def test_an_option_from_the_environment_only_is_not_a_file_key() -> None:
    assert sorted(declared(Sample), key=str) == [
        ("paint", "colour"),
        ("sample", "how_many"),
        ("sample", "name"),
        ("sample", "password"),
    ]
    sample = read_section(Sample, {"sample": {"token": "in-a-file-s3cret"}}, {}, "ivr.toml")
    assert sample.token == ""  # ivr.config refuses the key as unknown before this


def test_the_sections_own_check_runs_after_its_options() -> None:
    with pytest.raises(ConfigError, match="must not be forbidden"):
        read_section(Sample, {"sample": {"name": "forbidden"}}, {}, "ivr.toml")
