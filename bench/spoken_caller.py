"""Spoken callers for the journey model (bench/journey.py): each engine hears them.

``Hearing`` gives any job's transcript per engine: PocketSphinx's and Whisper's from
their decoders (cached), and "combined", what the app runs (ivr.speech.twopass:
PocketSphinx first, Whisper when it is unsure or the router cannot act on it, both
n-best merged; its decode time is both passes'). ``SpokenCaller`` says a request
(in the next voice of the rotation at each asking) and "yes" or "no" at questions,
through one engine, and the shipped engine decides as the flow asks it to.
``PromptClock`` times the flow's prompts from their shipped audio.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.heldout_sets import AT
from bench.journey import Clock, Reply, Turn
from bench.transcripts import Decoder, Job
from ivr.decisions import DIRECTORY_PREFIX, Candidate, Decision, Hint, Hypothesis
from ivr.flows.emergency import DangerCheck
from ivr.prompts import PromptCatalogue
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.speech.model import Transcript

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "prompts" / "catalogue.yaml"
COMBINED = "combined"


@dataclass(frozen=True, slots=True)
class Heard:
    job: Job
    transcript: Transcript
    escalated: bool = False  # combined: Whisper was asked


def combined(
    router: RoutingEngine,
    job: Job,
    first: Transcript,
    second: Callable[[], Transcript],
    below: float,
) -> Heard:
    """PocketSphinx's transcript, or both merged when Whisper is asked (``second``: its
    transcript, fetched only then), as the app decides (ivr.speech.twopass)."""
    from ivr.speech.twopass import actionable_by, keep_first, merge

    def decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return router.decide(RoutingInputs(at=AT, hypotheses=hypotheses))

    if keep_first(first, actionable_by(decide), below, job.expect):
        return Heard(job, first)
    return Heard(job, merge(first, second()), escalated=True)


class Hearing:
    """Any job as each engine hears it: "pocketsphinx", "whisper" or "combined"."""

    def __init__(self, router: RoutingEngine, decoders: dict[str, Decoder], below: float) -> None:
        self.router = router
        self.decoders = decoders
        self.below = below

    @property
    def engines(self) -> list[str]:
        both = "pocketsphinx" in self.decoders and "whisper" in self.decoders
        return [*self.decoders, *([COMBINED] if both else [])]

    def heard(self, engine: str, job: Job) -> Heard:
        if engine != COMBINED:
            return Heard(job, self.decoders[engine].one(job))
        first = self.decoders["pocketsphinx"].one(job)
        second = functools.partial(self.decoders["whisper"].one, job)
        return combined(self.router, job, first, second, self.below)


class SpokenCaller:
    """One request's caller (bench/journey.Caller), heard by ``engine``.

    ``job_at(text, k)``: the words said at the k-th asking, as a job (in the rotation's
    next voice each time: a caller asked again says it again, and a different voice is
    a fair second try); the first asking's request is ``first``.
    """

    def __init__(
        self,
        hearing: Hearing,
        engine: str,
        first: Job,
        job_at: Callable[[str, int], Job],
        danger: DangerCheck,
        rtf: Mapping[str, float] | None = None,
    ) -> None:
        """``rtf``: decode time as audio x this real-time factor per engine, instead of as
        measured (a loaded machine's times say more about the load than the engine)."""
        self.hearing, self.engine, self.first = hearing, engine, first
        self.job_at, self.danger, self.rtf = job_at, danger, rtf

    def _decode_s(self, heard: Heard) -> float:
        if self.rtf is None:
            return heard.transcript.decode_seconds
        audio = heard.transcript.audio_seconds
        if self.engine != COMBINED:
            return audio * self.rtf[self.engine]
        second = self.rtf["whisper"] if heard.escalated else 0.0
        return audio * (self.rtf["pocketsphinx"] + second)

    def _job(self, text: str, attempt: int) -> Job:
        if attempt == 1 and text == self.first.request.text:
            return self.first
        return self.job_at(text, attempt)

    def request(self, attempt: int) -> Turn:
        heard = self.hearing.heard(self.engine, self._job(self.first.request.text, attempt))
        transcript = heard.transcript
        started = time.perf_counter()
        inputs = RoutingInputs(at=AT, hypotheses=transcript.alternatives, attempt=attempt)
        decision = self.hearing.router.decide(inputs)
        decide_s = time.perf_counter() - started
        return Turn(decision, transcript.audio_seconds, self._decode_s(heard), decide_s)

    def say(self, word: str, attempt: int) -> Reply:
        # "yes" or "no" at a question: the app hints it to the recogniser (Hint.YES_NO).
        job = dataclasses.replace(self._job(word, attempt), expect=Hint.YES_NO)
        heard = self.hearing.heard(self.engine, job)
        transcript = heard.transcript
        return Reply(transcript.text, transcript.audio_seconds, self._decode_s(heard))

    def confirmed(self, destination: str, attempt: int) -> Decision:
        inputs = RoutingInputs(at=AT, confirmed=destination, attempt=attempt)
        return self.hearing.router.decide(inputs)

    def danger_key(self, heard: str) -> str | None:
        # The danger check's own reading of a reply (ivr.flows.emergency.DangerCheck).
        return self.danger._said(heard)


class PromptClock:
    """Prompt lengths from the shipped audio; a directory name's rendered now in the
    prompts' voice (ivr.media.synth), once: a set's directory is not the shipped one."""

    def __init__(self, catalogue: PromptCatalogue, sounds: Path) -> None:
        self.catalogue = catalogue
        self.sounds = sounds
        self._names: dict[str, float] = {}

    @classmethod
    def shipped(cls) -> PromptClock:
        return cls(PromptCatalogue.load(PROMPTS), PROMPTS.parent / "sounds")

    def known(self, prompt_id: str) -> bool:
        return prompt_id in self.catalogue

    def prompt_s(self, prompt_id: str) -> float:
        seconds = self.catalogue.seconds(prompt_id)
        if seconds is None:
            raise ValueError(f"prompt {prompt_id!r} has no audio in {self.sounds}")
        return seconds

    def name_s(self, candidate: Candidate) -> float:
        """A candidate's name as a confirmation says it (its ``name`` is the spoken one)."""
        if not candidate.destination.startswith(DIRECTORY_PREFIX):
            return self.prompt_s(f"dest_{candidate.destination}")
        if candidate.name not in self._names:
            from ivr.media.synth import synthesize, wav_seconds

            with tempfile.TemporaryDirectory(prefix="name-") as tmp:
                out = Path(tmp) / "name.wav"
                synthesize(candidate.name, out)
                self._names[candidate.name] = wav_seconds(out)
        return self._names[candidate.name]

    def clock(self) -> Clock:
        return Clock(self.prompt_s, self.name_s)
