"""CallerAudio: exact 20 ms frames across utterance boundaries, silence when idle."""

from __future__ import annotations

from array import array

from ivr.simulator.media import FRAME_SAMPLES, CallerAudio


def speaking(audio: CallerAudio) -> bool:
    # a call, so mypy does not carry the narrowed property across say()/next_frame()
    return audio.speaking


def test_idle_gives_silence() -> None:
    audio = CallerAudio()
    assert not speaking(audio)
    frame = audio.next_frame()
    assert len(frame) == FRAME_SAMPLES == 160 and not any(frame)
    frame[0] = 5  # callers may scribble on frames; the next one is still silent
    assert not any(audio.next_frame())


def test_speech_is_served_in_order_and_padded() -> None:
    audio = CallerAudio()
    first = array("h", range(1, 251))  # 250 samples
    second = array("h", range(1000, 1100))  # 100 samples
    assert audio.say(first) == 250 / 8000
    assert audio.say(second) == 100 / 8000
    assert speaking(audio) and audio.remaining == 350 / 8000
    frames = [audio.next_frame() for _ in range(4)]
    assert all(len(f) == 160 for f in frames)
    flat = [v for f in frames for v in f]
    assert flat[:350] == [*first, *second]
    assert not any(flat[350:])
    assert not speaking(audio)
    assert first.tolist() == list(range(1, 251))  # queued arrays are not modified


def test_exact_multiple_and_clear() -> None:
    audio = CallerAudio()
    audio.say(array("h", [7]) * 320)
    assert audio.next_frame().tolist() == [7] * 160
    assert speaking(audio)
    assert audio.next_frame().tolist() == [7] * 160
    assert not speaking(audio)
    audio.say(array("h", [9]) * 1000)
    audio.next_frame()
    audio.clear()
    assert not speaking(audio) and not any(audio.next_frame())
    assert audio.say(array("h")) == 0.0 and not speaking(audio)
