"""Departments by what callers mean: "the people who deal with speeding tickets".

The DirectoryMatcher finds names (a person's, a department's, an alias); a
caller describing what they need rarely says the department's name. Each
department's name, aliases and teams are embedded once per ruleset build with
the intents' sentence model, and a caller's words are compared with them by
cosine. A close meaning becomes a directory Candidate the engine weighs like
any other (a middling one is confirmed, "Did you want Firearms Licensing?",
never routed silently).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.directory.query import content_words
from ivr.embedding.encoder import SentenceEncoder
from ivr.routing.meaning import MAX_ALTERNATIVES

__all__ = ["DepartmentMeaning", "kind_requests"]

log = logging.getLogger(__name__)

# Cosine -> candidate score: below FLOOR it is not evidence; at FLOOR the directory's
# confirm band's bottom (0.6); from FLOOR + 0.17 its route band (0.85) for typed text.
FLOOR = 0.55
SLOPE = 1.5
BASE = 0.6
KIND_MATCH = 0.6  # a department this close in meaning to a kind's name answers for it
# ... and any kind one of its names all but says, however close another kind is (Roads
# Policing Unit with its team "Serious Collision Investigation": collision investigation).
KIND_NAMED = 0.85
KIND_SHARE = 0.2  # departments within this of the closest here share a kind's requests
MEANING_EVIDENCE = "meaning ~ "  # how a candidate found by meaning says so


@cache
def _shipped() -> dict[str, Any]:
    """ivr/routing/data/department_kinds.yaml, read once (every ruleset build asks)."""
    text = resources.files("ivr.routing").joinpath("data/department_kinds.yaml").read_text()
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def shipped_kinds() -> dict[str, tuple[str, ...]]:
    """Kind name -> what callers say."""
    kinds = _shipped()["kinds"]
    return {str(name): tuple(str(s) for s in said) for name, said in kinds.items()}


def shipped_kind_names() -> dict[str, tuple[str, ...]]:
    """Kind name -> the other names it goes by (the YAML's ``names:``)."""
    others = _shipped().get("names") or {}
    return {str(kind): tuple(str(n) for n in names) for kind, names in others.items()}


def kind_requests() -> tuple[str, ...]:
    """Every shipped kind's name and requests: what callers say asking for a unit, which is
    no emergency (the danger model's negatives beside the intents' examples)."""
    return tuple(p for kind, said in shipped_kinds().items() for p in (kind, *said))


class DepartmentMeaning:
    """Every department's names, embedded; ``match`` gives candidates by meaning."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        entries: Iterable[DirectoryEntry],
        kinds: Mapping[str, Sequence[str]] | None = None,
        kind_names: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``kinds``: kind -> what callers say; ``kind_names``: kind -> the other names it
        goes by (by default the shipped kinds' own)."""
        self.encoder = encoder
        if kinds is None:
            kinds = shipped_kinds()
            kind_names = shipped_kind_names() if kind_names is None else kind_names
        called = {k: (k, *(kind_names or {}).get(k, ())) for k in kinds}
        departments = [e for e in entries if e.kind == "department"]
        names = {e.id: list(dict.fromkeys([e.name, *e.aliases, *_teams(e)])) for e in departments}
        attached = self._kinds_of(departments, names, called)
        self._entries: list[DirectoryEntry] = []
        texts: list[str] = []
        shown: list[str] = []  # how the evidence names each anchor
        for entry in departments:
            for text in names[entry.id]:
                self._entries.append(entry)
                texts.append(text)
                shown.append(repr(text))
            for kind in attached.get(entry.id, ()):
                for said in kinds[kind]:
                    self._entries.append(entry)
                    texts.append(said)
                    shown.append(f"{said!r} ({kind})")
        self._texts = texts
        self._shown = shown
        self._of_kind: dict[str, list[DirectoryEntry]] = {}
        for entry in departments:
            for kind in attached.get(entry.id, ()):
                self._of_kind.setdefault(kind, []).append(entry)
        self._anchors = (
            encoder.encode_anchors(texts) if texts else np.zeros((0, encoder.dimension), np.float32)
        )

    def _kinds_of(
        self,
        departments: Sequence[DirectoryEntry],
        names: Mapping[str, list[str]],
        called: Mapping[str, Sequence[str]],
    ) -> dict[str, list[str]]:
        """Department id -> the kinds its names mean (closest kind first); ``called``:
        kind -> the names it goes by, the nearest of which counts."""
        if not departments or not called:
            return {}
        kind_names = list(called)
        said = [(k, name) for k, kind in enumerate(kind_names) for name in called[kind]]
        vectors = self.encoder.encode_anchors([name for _, name in said])
        texts = [text for entry in departments for text in names[entry.id]]
        by_name = self.encoder.encode_anchors(texts) @ vectors.T  # one batch
        owner = np.array([k for k, _ in said])
        similarity = np.stack(
            [by_name[:, owner == k].max(axis=1) for k in range(len(kind_names))], axis=1
        )
        found: dict[str, list[str]] = {}
        bests = []
        at = 0
        for entry in departments:
            count = len(names[entry.id])
            bests.append(similarity[at : at + count].max(axis=0))
            at += count
        # A kind another department here says far better is that one's ("someone got into
        # my email" is the Cyber Crime Unit's, not also Serious and Organised Crime's).
        kind_top = np.max(bests, axis=0)
        for entry, best in zip(departments, bests, strict=True):
            best = np.where(best >= kind_top - KIND_SHARE, best, 0.0)
            order = np.argsort(-best)
            top = float(best[order[0]])
            near = max(KIND_MATCH, top - 0.05)
            close = [
                i
                for rank, i in enumerate(order)
                if best[i] >= KIND_NAMED or (rank < 2 and best[i] >= near)
            ]
            if close:
                found[entry.id] = [kind_names[i] for i in close]
        return found

    def of_kind(self, kind: str) -> list[DirectoryEntry]:
        """The departments that answer for a shipped kind here (none: no such unit)."""
        return list(self._of_kind.get(kind, ()))

    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 3) -> list[Candidate]:
        if not self._texts:
            return []
        # Words with nothing in them but "police", "hello", "please" name no department
        # (the model reads "Police." as near "Roads Policing Unit").
        heard = [h for h in hypotheses if content_words(h.text)][:MAX_ALTERNATIVES]
        if not heard:
            return []
        try:
            similarity = self.encoder.encode([h.text for h in heard]) @ self._anchors.T
        except Exception:
            log.exception("sentence model failed: no departments by meaning this time")
            return []
        best: dict[str, Candidate] = {}
        for row, hypothesis in zip(similarity, heard, strict=True):
            factor = 0.85 + 0.15 * min(1.0, max(0.0, hypothesis.confidence))
            order = np.argsort(-row)
            for rank, anchor in enumerate(order):
                cosine = float(row[anchor])
                # Past the first few, only anchors tied with the last one taken: every
                # department of a kind shares its anchors ("my local neighbourhood team"),
                # and the one the caller named must not be cut by the order of a tie.
                if cosine < FLOOR or (rank >= limit * 3 and cosine < float(row[order[rank - 1]])):
                    break
                entry = self._entries[anchor]
                score = min(0.95, BASE + SLOPE * (cosine - FLOOR)) * factor
                known = best.get(entry.destination)
                if known is None or score > known.score:
                    best[entry.destination] = Candidate(
                        entry.destination,
                        entry.spoken_name,
                        round(score, 4),
                        f"{MEANING_EVIDENCE}{self._shown[anchor]} ({cosine:.2f})",
                    )
        ranked = sorted(best.values(), key=lambda c: -c.score)
        if len(ranked) <= limit or limit <= 0:
            return ranked[: max(limit, 0)]
        cut = ranked[limit - 1].score  # the limit, and any tied with the last one kept
        return [c for c in ranked if c.score >= cut]


def _teams(entry: DirectoryEntry) -> tuple[str, ...]:
    """The teams a department answers for (the directory's ``teams:``), if it has any."""
    teams = getattr(entry, "teams", ())
    return tuple(teams) if isinstance(teams, tuple | list) else ()
