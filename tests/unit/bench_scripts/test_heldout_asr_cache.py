"""The speech bench's transcript cache and voice list: reused when valid, never stale."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from bench.heldout_asr import spread
from bench.heldout_sets import Request
from bench.invented_names import invented_surnames
from bench.speech_conditions import parse_voices
from bench.transcripts import Job, TranscriptCache, cache_slot, vocabulary_digest, whisper_setting
from ivr.decisions import Hypothesis
from ivr.speech.model import Transcript, Vocabulary
from ivr.speech.settings import WhisperPrompt

JOB = Job(Request("my bike was stolen", "rc"), "kal16@1.0")
HEARD = Transcript((Hypothesis("my bike was stolen", 0.8), Hypothesis("my bike", 0.3)),
                   "pocketsphinx", 1.5, 0.2)  # fmt: skip


def test_a_cached_transcript_comes_back_as_it_was_stored(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    assert cache.get(JOB, "pocketsphinx", "v1", keep_stale=False) is None
    cache.put(JOB, HEARD, "v1")
    assert cache.get(JOB, "pocketsphinx", "v1", keep_stale=False) == HEARD
    assert cache.get(JOB, "whisper", "v1", keep_stale=False) is None  # per engine
    other_voice = Job(JOB.request, "espeak:en-gb@150")
    assert cache.get(other_voice, "pocketsphinx", "v1", keep_stale=False) is None


def test_a_transcript_from_another_vocabulary_is_stale_unless_kept(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    cache.put(JOB, HEARD, "v1")
    assert cache.get(JOB, "pocketsphinx", "v2", keep_stale=False) is None
    assert cache.get(JOB, "pocketsphinx", "v2", keep_stale=True) == HEARD
    assert cache.stale == 2


def test_an_unreadable_cache_file_is_decoded_again(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    cache.put(JOB, HEARD, "v1")
    cache.path(JOB, "pocketsphinx").write_text("{", encoding="utf-8")
    assert cache.get(JOB, "pocketsphinx", "v1", keep_stale=False) is None


def test_the_vocabulary_digest_follows_the_words_and_the_engine_setting() -> None:
    one = Vocabulary.from_texts(["johnson"], ["pc johnson please"])
    two = Vocabulary.from_texts(["johnston"], ["pc johnson please"])
    assert vocabulary_digest(one) == vocabulary_digest(one)
    assert vocabulary_digest(one) != vocabulary_digest(two)
    assert vocabulary_digest(one, "whisper:a") != vocabulary_digest(one, "whisper:b")


def test_voices_are_rotate_or_a_checked_list() -> None:
    flite = ("kal16", "slt")
    assert parse_voices("rotate", flite) == ("rotate",)
    assert parse_voices("kal16@1.0, espeak:en-gb@150", flite) == ("kal16@1.0", "espeak:en-gb@150")
    for bad in ("kal@1.0", "slt", "espeak:en-gb", ""):
        with pytest.raises(ValueError):
            parse_voices(bad, flite)


def test_a_limit_spreads_over_the_set() -> None:
    requests = [Request(str(i), "rc") for i in range(10)]
    assert [r.text for r in spread(requests, 5)] == ["0", "2", "4", "6", "8"]
    assert spread(requests, None) == requests and spread(requests, 50) == requests


def _words(text: str) -> int:
    """A stand-in for Whisper's tokenizer (a piece per 4 letters): the prompt's budget,
    and which words need spelling out (those of two pieces or more)."""
    return sum(-(-len(word) // 4) for word in text.split())


def test_whisper_key_changes_with_the_menu_prompt_and_the_policy() -> None:
    names = Vocabulary.from_texts(["sergeant", "smyth", "burglary"], [], ["smyth"])
    other = Vocabulary.from_texts(["sergeant", "smythe", "burglary"], [], ["smythe"])

    def key(vocabulary: Vocabulary, policy: WhisperPrompt) -> str:
        return vocabulary_digest(
            vocabulary, whisper_setting("packaged", policy, vocabulary, _words)
        )

    keys = {key(names, p) for p in WhisperPrompt}
    assert len(keys) == 3  # each policy its own transcripts
    assert key(names, WhisperPrompt.DOMAIN) == key(names, WhisperPrompt.DOMAIN)
    assert "Smyth" in whisper_setting("packaged", WhisperPrompt.NAMES, names, _words)
    assert "Smyth" not in whisper_setting("packaged", WhisperPrompt.DOMAIN, names, _words)
    # the names prompt is part of the key: another name, another transcript
    setting = functools.partial(whisper_setting, "packaged", WhisperPrompt.NAMES)
    assert setting(names, _words) != setting(other, _words)
    assert setting(names, _words) != setting(names, lambda text: 1)  # another tokenizer


def test_each_prompt_policy_caches_in_its_own_folder(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    heard = Transcript((Hypothesis("my bike was stolen", 0.9),), "whisper")
    domain, names = (
        cache_slot("whisper", WhisperPrompt.DOMAIN),
        cache_slot("whisper", WhisperPrompt.NAMES),
    )
    cache.put(JOB, heard, "v1", slot=domain)
    assert cache.get(JOB, domain, "v1", keep_stale=False) == heard
    assert cache.get(JOB, names, "v1", keep_stale=False) is None
    assert cache_slot("pocketsphinx", WhisperPrompt.NAMES) == "pocketsphinx"


def test_invented_surnames_are_names_nobody_said_nor_a_sound_alike() -> None:
    surnames = frozenset({"thompson", "thomson", "patel", "hall", "okafor"})
    said = "there's a man with a knife outside the village hall"
    assert invented_surnames(
        said, "There's a man, Patel, with a knife outside the hall", surnames
    ) == ["patel"]
    assert invented_surnames(said, said, surnames) == []  # "hall" was said
    assert invented_surnames("Fiona Thomson please", "Fiona Thompson please", surnames) == []
    assert invented_surnames("my bike was stolen", "Okafor, Patel, stolen", surnames) == [
        "okafor",
        "patel",
    ]
