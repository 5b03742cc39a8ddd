"""What the caller wants, from their words: intents as data, matched transparently.

Intents live in ``routing_rules/intents.yaml`` (examples, weighted keywords,
and for the emergency intent a list of cues) so admins can change them
without code, and every match says *why*: the intent, the example that
matched, the keywords hit and the score.

How ``IntentMatcher.match`` scores one hypothesis against one intent
--------------------------------------------------------------------
1. Text is normalised (``ivr.text.normalise``) and filler words
   ("i", "my", "the", "please", ...) are dropped for the fuzzy part, so
   "my car was broke into" and "car broken into" compare on content.
2. **Example similarity** ``f``: the best rapidfuzz ``ratio`` between the
   hypothesis and the intent's examples, both reduced to content words
   (precomputed; one ``process.extractOne`` per intent). Chosen by
   measuring on the test table and two held-out sets: plain ``ratio`` on
   content words beat ``token_set_ratio``, ``WRatio``, ``token_sort_ratio``
   and mixes (``token_set_ratio`` scores 100 whenever one example's words are
   a subset of the caller's, so short examples won too often).
3. **Keyword evidence** ``k``: keywords (and, for the emergency intent, its
   cues) found in the hypothesis (ivr.routing.phrases: ASR near-misses and
   negation), combined as ``1 - prod(1 - weight)``.
4. **Meaning** (with a sentence model, ivr.routing.meaning): the cosine with
   the intent's nearest example, and its lead over the nearest other intent.
5. ``score`` = a calibrated probability of the four (``Calibration``), times
   0.85 + 0.15 x the recogniser's confidence; an intent keeps its best
   hypothesis. Intents come back best first.
6. Words that are only fillers ("please", "um, er") ask for nothing: only the
   switchboard intent (a person) or an example said as it is may take them.

``emergency_cue`` is separate and recall-first: it looks at EVERY
alternative, whatever its confidence, and reports the first cue found,
preferring an un-negated cue in the most confident alternative. Negation
only lowers the score (1.0 -> 0.5); it never hides a cue, because missing
a real emergency costs far more than asking "is anyone in danger?".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from ivr.decisions import SWITCHBOARD, Hypothesis
from ivr.embedding.encoder import SentenceEncoder
from ivr.routing.danger_meaning import DangerMeaning, Meant
from ivr.routing.intents_yaml import Intent, IntentsError, read_intents
from ivr.routing.meaning import (
    MAX_ALTERNATIVES,
    MEANING_CALIBRATION,
    WORDS_CALIBRATION,
    MeaningIndex,
    Nearest,
)
from ivr.routing.phrases import (
    NEGATED_FACTOR,
    STOPWORDS,
    PhraseScanner,
    Scan,
    content_of,
    hit_name,
)
from ivr.routing.support import NBestSupport, Support
from ivr.text import normalise
from ivr.yamlfile import load_data, parse_data

__all__ = [
    "STOPWORDS",
    "Evidence",
    "Intent",
    "IntentMatch",
    "IntentMatcher",
    "IntentsError",
]

CUE_WEIGHT = 1.0  # a cue as emergency keyword evidence in match()
SCORER = fuzz.ratio  # chosen by measurement; see the module docstring
# The one word said as the caller's own name (normalised text): a name, not a deed, whatever
# the recogniser made of it; the words after it are read as usual.
OWN_NAME = re.compile(r"\bmy (?:name is|names|name's) [a-z]+\b")


SAID_AS_IS = 0.99  # cosine with an example from which words are that example


def _only_filler(text: str) -> bool:
    """No word but fillers and politeness ("please", "yes please", "um")."""
    return all(w in STOPWORDS for w in normalise(text).split())


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    destination: str
    score: float  # 0..1
    example: str  # the example (or, from emergency_cue, the cue) that matched
    matched: str  # the hypothesis text
    keywords: tuple[str, ...] = ()  # keywords/cues hit; "(negated)" marks a negated hit
    emergency: bool = False
    semantic: float | None = None  # cosine with the nearest example (None: words only)
    fuzzy: float = 0.0  # wording similarity with the closest example, 0..1
    keyword: float = 0.0  # keyword evidence, 0..1
    margin: float = 0.0  # meaning's lead over the nearest other intent
    support: Support | None = None  # the n-best's agreement (None: one text, or typed)
    alone: float | None = None  # the score before the support term moved it

    @property
    def agreement(self) -> str:
        """How the n-best's agreement moved the score, for the Decision's reason ("": not)."""
        if self.support is None or self.alone is None:
            return ""
        return f"{self.support.describe()}: {self.alone:.2f} → {self.score:.2f}"

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "intent": self.intent,
            "destination": self.destination,
            "score": round(self.score, 4),
            "example": self.example,
            "matched": self.matched,
            "keywords": list(self.keywords),
            "emergency": self.emergency,
            "fuzzy": round(self.fuzzy, 4),
            "keyword": round(self.keyword, 4),
        }
        if self.semantic is not None:
            found["semantic"] = round(self.semantic, 4)
            found["margin"] = round(self.margin, 4)
        if self.support is not None:
            found["support"] = {**self.support.to_json(), "alone": round(self.alone or 0.0, 4)}
        return found


@dataclass(frozen=True, slots=True)
class Evidence:
    """The three kinds of evidence for one intent in one caller text (calibration input)."""

    semantic: float | None
    fuzzy: float
    keyword: float
    example: str
    hits: tuple[str, ...]
    margin: float = 0.0  # semantic minus the nearest other (non-emergency) intent's

    def probability(self) -> float:
        if self.semantic is None:
            return WORDS_CALIBRATION.probability(0.0, self.fuzzy, self.keyword)
        return MEANING_CALIBRATION.probability(self.semantic, self.fuzzy, self.keyword, self.margin)


class IntentMatcher:
    """Matches hypotheses to intents; build once, match many (indexes precomputed)."""

    def __init__(
        self,
        intents: Sequence[Intent],
        encoder: SentenceEncoder | None = None,
        not_emergencies: Sequence[str] = (),
    ) -> None:
        """``not_emergencies``: more of what callers say that is no emergency (the shipped
        department kinds' requests, "renew my shotgun certificate"), for the danger model
        to learn beside every other intent's examples."""
        self.intents: tuple[Intent, ...] = tuple(intents)
        self.support = NBestSupport()
        # Meaning: every example embedded once here; None = words only (no model).
        self.meaning = (
            MeaningIndex(encoder, [intent.examples for intent in self.intents])
            if encoder is not None
            else None
        )
        emergencies = [e for intent in self.intents if intent.emergency for e in intent.examples]
        others = [e for intent in self.intents if not intent.emergency for e in intent.examples]
        others += not_emergencies
        self.danger = (
            DangerMeaning(encoder, emergencies, others)
            if encoder is not None and emergencies and others
            else None
        )
        self._examples: list[tuple[list[str], list[str]]] = []  # per intent: (content, raw)
        for intent in self.intents:
            content = [content_of(normalise(e)) for e in intent.examples]
            self._examples.append((content, list(intent.examples)))
        # Every word the examples say (what the sentence model was shown here).
        self.words: frozenset[str] = STOPWORDS | {
            w for content, _ in self._examples for text in content for w in text.split()
        }
        self._emergency = next((i for i, it in enumerate(self.intents) if it.emergency), None)
        not_cues = self.intents[self._emergency].not_cues if self._emergency is not None else ()
        self._not_cues = [
            re.compile(r"\b" + re.escape(normalise(p)) + r"\b") for p in not_cues if normalise(p)
        ]

        owners: dict[str, list[tuple[int, float]]] = {}
        cue_texts: set[str] = set()
        for index, intent in enumerate(self.intents):
            for word, weight in zip(intent.keywords, intent.weights or (), strict=False):
                owners.setdefault(normalise(word), []).append((index, weight))
            for cue in intent.cues:
                key = normalise(cue)
                cue_texts.add(key)
                if not any(owner == index for owner, _ in owners.get(key, [])):
                    owners.setdefault(key, []).append((index, CUE_WEIGHT))
        self._scanner = PhraseScanner(owners, frozenset(cue_texts))

    @classmethod
    def load(
        cls,
        path: Path,
        encoder: SentenceEncoder | None = None,
        not_emergencies: Sequence[str] = (),
    ) -> IntentMatcher:
        intents = read_intents(load_data(path, IntentsError), str(path))
        return cls(intents, encoder, not_emergencies)

    @classmethod
    def parse(
        cls, text: str, source: str = "<string>", encoder: SentenceEncoder | None = None
    ) -> IntentMatcher:
        return cls(read_intents(parse_data(text, source, IntentsError), source), encoder)

    def get(self, name: str) -> Intent | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    @property
    def cues(self) -> tuple[str, ...]:
        return self.intents[self._emergency].cues if self._emergency is not None else ()

    @property
    def by_meaning(self) -> bool:
        """Matched with a sentence model (False: fuzzy examples and keywords only)."""
        return self.meaning is not None

    def danger_meant(self, hypotheses: Sequence[Hypothesis]) -> Meant | None:
        """How surely the first few alternatives MEAN an emergency (None: words only)."""
        if self.danger is None:
            return None
        texts = list(dict.fromkeys(h.text for h in hypotheses if h.text.strip()))
        return self.danger.meant(texts[:MAX_ALTERNATIVES])

    def _scan(self, hypothesis: Hypothesis) -> Scan:
        return self._scanner.scan(hypothesis)

    # -- the two questions --

    def evidence(self, hypotheses: Sequence[Hypothesis]) -> list[tuple[Scan, list[Evidence]]]:
        """Per usable hypothesis, each intent's evidence (file order). The first
        MAX_ALTERNATIVES distinct texts also get meaning (the model's cost is per text)."""
        return [(scan, row) for _, scan, row in self._evidence(hypotheses)]

    def _evidence(
        self, hypotheses: Sequence[Hypothesis]
    ) -> list[tuple[Hypothesis, Scan, list[Evidence]]]:
        """``evidence``, each row with the hypothesis it came from (its ``heard_by``)."""
        usable = [(h, s) for h, s in ((h, self._scan(h)) for h in hypotheses) if s.content]
        scans = [s for _, s in usable]
        near: dict[str, list[Nearest | None]] = {}
        if self.meaning is not None:
            texts = list(dict.fromkeys(s.text for s in scans))[:MAX_ALTERNATIVES]
            found_near = self.meaning.nearest(texts)
            if found_near is not None:
                near = dict(zip(texts, found_near, strict=True))
        found: list[tuple[Hypothesis, Scan, list[Evidence]]] = []
        for hypothesis, scan in usable:
            meant = near.get(scan.text)
            row: list[Evidence] = []
            for index in range(len(self.intents)):
                content, raw = self._examples[index]
                similarity, example = 0.0, ""
                if content:
                    hit = process.extractOne(scan.content, content, scorer=SCORER, processor=None)
                    if hit is not None:
                        similarity, example = hit[1] / 100.0, raw[hit[2]]
                miss = 1.0
                names: list[str] = []
                for h in scan.hits:
                    for owner, weight in h.phrase.owners:
                        if owner == index:
                            miss *= 1.0 - weight * (NEGATED_FACTOR if h.negated else 1.0)
                            names.append(hit_name(h))
                nearest = meant[index] if meant is not None else None
                if nearest is not None:
                    example = raw[nearest.example]  # the nearest in meaning is named
                row.append(
                    Evidence(
                        semantic=nearest.similarity if nearest is not None else None,
                        fuzzy=similarity,
                        keyword=1.0 - miss,
                        example=example,
                        hits=tuple(names),
                    )
                )
            found.append((hypothesis, scan, self._with_margins(row)))
        return found

    def _with_margins(self, row: list[Evidence]) -> list[Evidence]:
        """Each intent's lead in meaning over the nearest other (the emergency intent,
        decided by its cues, is neither a rival nor scored here)."""
        rivals = [
            (i, ev.semantic)
            for i, ev in enumerate(row)
            if ev.semantic is not None and not self.intents[i].emergency
        ]
        if len(rivals) < 2:
            return row
        out = list(row)
        for i, semantic in rivals:
            nearest_other = max(s for j, s in rivals if j != i)
            out[i] = replace(row[i], margin=semantic - nearest_other)
        return out

    def match(self, hypotheses: Sequence[Hypothesis]) -> list[IntentMatch]:
        """Every intent scored against the hypotheses, best first (ties: file order).

        The score is a calibrated probability (ivr.routing.meaning.Calibration) from
        meaning, wording and keywords, taken down a little for an unsure recogniser
        (0.85 + 0.15 x confidence, as the directory does) but never multiplied by the
        confidence itself: a correct transcript heard at 0.5 is still a clear request.
        An intent keeps its best alternative's score; then, when two or more different
        alternatives were heard, their agreement moves it (ivr.routing.support: read
        best by most of the n-best gains, by one low alternative loses). The emergency
        intent is left as it is: its cues decide, recall first.
        """
        found = self._evidence(hypotheses)
        best: list[IntentMatch | None] = [None] * len(self.intents)
        readings: list[list[float]] = []  # per alternative, each intent's probability
        for _, scan, row in found:
            factor = 0.85 + 0.15 * scan.confidence
            readings.append([])
            filler = _only_filler(scan.text)
            for index, ev in enumerate(row):
                intent = self.intents[index]
                probability = ev.probability()
                if (
                    filler
                    and intent.destination != SWITCHBOARD
                    and ((ev.semantic or 0.0) < SAID_AS_IS and ev.fuzzy < 1.0)
                ):
                    # "Please." (a recogniser's "police"), "um, er": nothing asked for,
                    # however near "update please" it sits. A caller with nothing to say
                    # wants a person (the switchboard's "um", "hello"), or said an example
                    # as it is.
                    probability = 0.0
                readings[-1].append(math.nan if intent.emergency else probability)
                score = min(1.0, max(0.0, probability * factor))
                current = best[index]
                if current is None or score > current.score:
                    best[index] = IntentMatch(
                        intent=intent.name,
                        destination=intent.destination,
                        score=score,
                        example=ev.example,
                        matched=scan.text,
                        keywords=ev.hits,
                        emergency=intent.emergency,
                        semantic=ev.semantic,
                        fuzzy=ev.fuzzy,
                        keyword=ev.keyword,
                        margin=ev.margin,
                    )
        supports = (
            self.support.of([h for h, _, _ in found], readings) if readings else [None] * len(best)
        )
        results = [
            replace(m, score=s.apply(m.score), support=s, alone=m.score)
            if s is not None and not m.emergency
            else m
            for m, s in zip(best, supports, strict=True)
            if m is not None
        ]
        order = {intent.name: i for i, intent in enumerate(self.intents)}
        results.sort(key=lambda m: (-m.score, order[m.intent]))
        return results

    def _without_not_cues(self, hypothesis: Hypothesis) -> Hypothesis:
        """Blank out not-cue phrases and the word said as the caller's own name ("my name
        is punching aisle": a recogniser's words for "Conceição"); what is left is still
        scanned for real cues."""
        text = OWN_NAME.sub("my name is ", normalise(hypothesis.text))
        for pattern in self._not_cues:
            text = pattern.sub(" ", text)
        return Hypothesis(text, hypothesis.confidence)

    def emergency_cue(self, hypotheses: Iterable[Hypothesis]) -> IntentMatch | None:
        """The strongest emergency cue in ANY alternative, or None (recall first)."""
        if self._emergency is None:
            return None
        intent = self.intents[self._emergency]
        found: tuple[tuple[float, float], IntentMatch] | None = None
        for hypothesis in hypotheses:
            for reading in _cue_readings(self._without_not_cues(hypothesis)):
                scan = self._scan(reading)
                cues = [hit for hit in scan.hits if hit.phrase.cue]
                if cues:
                    break
            if not cues:
                continue
            clear = [hit for hit in cues if not hit.negated]
            first = (clear or cues)[0]
            score = 1.0 if clear else NEGATED_FACTOR
            rank = (score, scan.confidence)
            if found is None or rank > found[0]:
                names = tuple(hit_name(h) for h in cues)
                found = (
                    rank,
                    IntentMatch(
                        intent=intent.name,
                        destination=intent.destination,
                        score=score,
                        example=first.phrase.text,
                        matched=hypothesis.text,
                        keywords=names,
                        emergency=True,
                    ),
                )
        return found[1] if found else None


def _cue_readings(hypothesis: Hypothesis) -> Iterable[Hypothesis]:
    """The hypothesis, then (recall first) with every "and" read as "in".

    Unstressed "in" and "and" are the same sound on a phone line and recognisers
    swap them ("there's a robbery and progress at the shop"); an emergency cue
    that only the other reading carries is still a cue.
    """
    yield hypothesis
    words = normalise(hypothesis.text).split()
    if "and" in words:
        swapped = " ".join("in" if w == "and" else w for w in words)
        yield Hypothesis(swapped, hypothesis.confidence)


def describe(match: IntentMatch) -> str:
    """One line for logs and the operator screen."""
    hits = f"; keywords {', '.join(match.keywords)}" if match.keywords else ""
    meant = f" (meaning {match.semantic:.2f})" if match.semantic is not None else ""
    return f"{match.intent} {match.score:.2f}: {match.matched!r} ~ {match.example!r}{meant}{hits}"
