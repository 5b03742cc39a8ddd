"""The speech bench's transcript cache and voice list: reused when valid, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.heldout_asr import Job, TranscriptCache, parse_voices, spread, vocabulary_digest
from bench.heldout_sets import Request
from ivr.decisions import Hypothesis
from ivr.speech.model import Transcript, Vocabulary

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
    cache.path(JOB.voice, "pocketsphinx", JOB.request.text).write_text("{", encoding="utf-8")
    assert cache.get(JOB, "pocketsphinx", "v1", keep_stale=False) is None


def test_the_vocabulary_digest_follows_the_words_and_the_engine_setting() -> None:
    one = Vocabulary.from_texts(["johnson"], ["pc johnson please"])
    two = Vocabulary.from_texts(["johnston"], ["pc johnson please"])
    assert vocabulary_digest(one) == vocabulary_digest(one)
    assert vocabulary_digest(one) != vocabulary_digest(two)
    assert vocabulary_digest(one, "whisper:a") != vocabulary_digest(one, "whisper:b")


def test_voices_are_rotate_or_a_checked_list() -> None:
    flite = ("kal16", "slt")
    assert parse_voices("rotate", flite) is None
    assert parse_voices("kal16@1.0, espeak:en-gb@150", flite) == ("kal16@1.0", "espeak:en-gb@150")
    for bad in ("kal@1.0", "slt", "espeak:en-gb", ""):
        with pytest.raises(ValueError):
            parse_voices(bad, flite)


def test_a_limit_spreads_over_the_set() -> None:
    requests = [Request(str(i), "rc") for i in range(10)]
    assert [r.text for r in spread(requests, 5)] == ["0", "2", "4", "6", "8"]
    assert spread(requests, None) == requests and spread(requests, 50) == requests
