"""What a call session hears about its call, in the call's own terms.

Verbs never see ARI: the control layer turns ARI events into these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DigitPressed:
    digit: str


@dataclass(frozen=True, slots=True)
class PromptFinished:
    playback_id: str
    completed: bool  # False when Asterisk reports the playback failed


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    cause: int = 16


@dataclass(frozen=True, slots=True)
class LegAnswered:
    leg_id: str


@dataclass(frozen=True, slots=True)
class LegFailed:
    """The far end never answered: busy, no answer, unreachable, or hung up while ringing."""

    leg_id: str
    status: str


@dataclass(frozen=True, slots=True)
class LegHungUp:
    leg_id: str


@dataclass(frozen=True, slots=True)
class ControlLost:
    """The ARI link is down; the session keeps its place and waits for reconciliation."""


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The caller started talking (the endpointer heard enough speech): barge in.

    ``epoch`` names the question it belongs to (see AsrTap.reset): speech that
    began before a question was asked never answers it.
    """

    epoch: int = 0


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """One endpointed utterance, 16-bit mono PCM at ``sample_rate``."""

    audio: bytes
    sample_rate: int = 8000
    reason: str = "silence"  # or "max-speech"
    epoch: int = 0


@dataclass(frozen=True, slots=True)
class ListeningFailed:
    """The audio path broke (RTP stopped, a channel vanished): use the keypad."""

    reason: str


CallEvent = (
    DigitPressed
    | PromptFinished
    | CallerHungUp
    | LegAnswered
    | LegFailed
    | LegHungUp
    | SpeechStarted
    | SpeechEnded
    | ListeningFailed
)
