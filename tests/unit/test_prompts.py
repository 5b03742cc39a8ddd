"""The shipped prompt catalogue, its audio, and the loader's line-numbered errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from ivr.prompts import CatalogueError, PromptCatalogue, UnknownPrompt

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "prompts" / "catalogue.yaml"
SOUNDS = REPO / "prompts" / "sounds"
RENDER = REPO / "scripts" / "render_prompts.py"

# What the call flow (ivr/flows, ivr/verbs) and the brief ask for by name.
REQUIRED_IDS = {
    "welcome",
    "main_menu",
    "main_menu_more",
    "no_input",
    "invalid_choice",
    "transfer_rc",
    "transfer_fcr",
    "transfer_switchboard",
    "transfer_emergency",
    "transfer_directory",
    "online_sms_offer",
    "online_sms_sent",
    "online_info",
    "please_hold",
    "agent_unavailable",
    "no_one_available",
    "technical_difficulty",
    "goodbye",
    "emergency_advice",
}


@pytest.fixture(scope="module")
def shipped() -> PromptCatalogue:
    return PromptCatalogue.load(CATALOGUE)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        PromptCatalogue.load(path)
    assert info.value.error_id == "prompt-catalogue-invalid"
    return info.value.errors


def test_shipped_catalogue_loads_with_every_id_the_flow_needs(shipped: PromptCatalogue) -> None:
    assert shipped.language == "en"
    assert not REQUIRED_IDS - set(shipped.ids)
    assert shipped.media_uri("welcome") == "sound:ivr101/welcome"
    assert "nine-nine-nine" in shipped.text("welcome")


def test_menu_prompts_name_every_key_of_the_keypad_menu(shipped: PromptCatalogue) -> None:
    menu = shipped.text("main_menu") + " " + shipped.text("main_menu_more")
    for key in "1234509":
        assert f"press {key}" in menu


def test_unknown_prompt_is_a_key_error_with_an_id(shipped: PromptCatalogue) -> None:
    with pytest.raises(UnknownPrompt) as info:
        shipped.media_uri("nope")
    assert isinstance(info.value, KeyError)
    assert info.value.error_id == "prompt-unknown"
    assert "nope" in str(info.value)


def test_every_prompt_has_a_telephone_wav_of_at_most_15_seconds(
    shipped: PromptCatalogue,
) -> None:
    assert shipped.check_audio(SOUNDS) == []
    for pid in shipped.ids:
        with wave.open(str(shipped.wav_path(SOUNDS, pid)), "rb") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2), pid
            assert 0 < wav.getnframes() / wav.getframerate() <= 15.0, pid


def test_check_audio_lists_missing_wavs(shipped: PromptCatalogue, tmp_path: Path) -> None:
    assert shipped.check_audio(tmp_path) == list(shipped.ids)


def test_render_check_passes_on_the_repo_without_a_synthesizer(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # no espeak-ng or sox reachable
    result = subprocess.run(
        [sys.executable, str(RENDER), "--check"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr


def test_render_check_fails_on_stale_and_missing_audio(tmp_path: Path) -> None:
    sounds = tmp_path / "sounds"
    shutil.copytree(SOUNDS, sounds)
    (sounds / "en" / "ivr101" / "goodbye.wav").unlink()
    text = CATALOGUE.read_text(encoding="utf-8")
    changed = write(tmp_path, text.replace("Sorry, I didn't hear a choice.", "Sorry, no choice."))
    result = subprocess.run(
        [
            sys.executable,
            str(RENDER),
            "--check",
            "--catalogue",
            str(changed),
            "--sounds",
            str(sounds),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "goodbye: missing" in result.stderr
    assert "no_input: stale" in result.stderr


def test_render_without_tools_says_what_is_missing(tmp_path: Path) -> None:
    catalogue = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        prompts:
          hello: {text: Hello.}
        """,
    )
    result = subprocess.run(
        [sys.executable, str(RENDER), "--catalogue", str(catalogue), "--sounds", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "espeak-ng and sox not found" in result.stderr


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="needs espeak-ng and sox"
)
def test_render_only_renders_changed_prompts(tmp_path: Path) -> None:
    body = """
        language: en
        sound_prefix: ivr101
        prompts:
          hello: {text: Hello.}
          bye: {text: Goodbye.}
        """
    catalogue = write(tmp_path, body)
    cmd = [sys.executable, str(RENDER), "--catalogue", str(catalogue), "--sounds", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "2 rendered" in first.stdout
    write(tmp_path, body.replace("Goodbye.", "Bye now."))
    second = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "1 rendered, 1 up to date" in second.stdout
    assert "bye" in second.stdout and "hello ..." not in second.stdout
    assert subprocess.run([*cmd, "--check"], capture_output=True).returncode == 0


def test_duplicate_prompt_id_reports_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        prompts:
          welcome:
            text: Hello.
          goodbye:
            text: Bye.
          welcome:
            text: Hello again.
        """,
    )
    assert errors_of(path) == [f"{path}:8: duplicate key 'welcome' (first on line 4)"]


def test_unknown_keys_are_reported_at_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        voice: en-gb
        prompts:
          welcome:
            text: Hello.
            txet: Hello.
        """,
    )
    errors = errors_of(path)
    assert len(errors) == 2
    assert errors[0].startswith(f"{path}:3: unknown key 'voice' (expected one of language,")
    assert errors[1].startswith(f"{path}:7: prompt 'welcome': unknown key 'txet'")


@pytest.mark.parametrize("value", ['""', "", "'   '"])
def test_empty_text_is_an_error_at_its_line(tmp_path: Path, value: str) -> None:
    path = write(
        tmp_path,
        f"""
        language: en
        sound_prefix: ivr101
        prompts:
          welcome:
            text: Hello.
          goodbye:
            text: {value}
        """,
    )
    assert errors_of(path) == [f"{path}:7: text must not be empty"]


def test_missing_text_points_at_the_prompt(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        prompts:
          welcome:
            note: forgot the text
        """,
    )
    assert errors_of(path) == [f"{path}:5: prompt 'welcome': missing 'text:'"]


def test_catalogue_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- welcome\n- goodbye\n")
    assert errors_of(path) == [f"{path}:1: expected a mapping with language, sound_prefix, prompts"]


def test_prompt_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        prompts:
          welcome: Hello.
        """,
    )
    assert errors_of(path) == [
        f"{path}:4: prompt 'welcome': expected a mapping with text (and note), not 'Hello.'"
    ]


def test_non_string_text_and_bad_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        language: en
        sound_prefix: ivr101
        prompts:
          Welcome!:
            text: Hello.
          number:
            text: 101
        """,
    )
    errors = errors_of(path)
    assert errors[0].startswith(f"{path}:4: prompt id 'Welcome!'")
    assert errors[1].startswith(f"{path}:7: text must be text")


def test_yaml_syntax_error_carries_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, "language: en\nprompts:\n  welcome: {text: Hello.\n")
    (error,) = errors_of(path)
    assert error.startswith(f"{path}:4: did not find expected ',' or '}}'")


def test_empty_file_and_unreadable_file(tmp_path: Path) -> None:
    assert errors_of(write(tmp_path, "")) == [
        f"{tmp_path / 'catalogue.yaml'}:1: catalogue is empty"
    ]
    (error,) = errors_of(tmp_path / "absent.yaml")
    assert "cannot read" in error


def test_catalogue_is_immutable(shipped: PromptCatalogue) -> None:
    with pytest.raises(TypeError):
        shipped.prompts["x"] = shipped.prompts["welcome"]  # type: ignore[index]
