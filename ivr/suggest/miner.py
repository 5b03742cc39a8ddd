"""SuggestionMiner: operator moves grouped into rules changes an admin can accept.

Pure: it reads logged calls (``LoggedCall``) and the rules in force, and returns
suggestions in a fixed order. Two kinds:

* **alias**: calls moved to a directory entry share a phrase its names and aliases
  lack. A phrase qualifies when at least ``min_calls`` moved calls said it, at least
  ``min_share`` of *all* calls that said it were moved there (a word every caller
  says is no clue), and that share is ``min_lift`` times the share of all calls
  moved there (a clue, not the base rate).
* **example**: calls moved to where an intent routes, whose words are not close to
  that intent's examples (rapidfuzz ratio below ``example_ratio``). Alike ones are
  grouped; a group of ``min_calls`` gives its most representative utterance.

Nothing already in the rules is suggested, and each suggestion names its calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory import Directory, DirectoryEntry
from ivr.routing.intents_yaml import Intent
from ivr.suggest.model import CallEvidence, LoggedCall, Suggestion, SuggestionKind
from ivr.suggest.phrases import closest, contains, groups, phrases, representative
from ivr.suggest.settings import SuggestSettings
from ivr.text import normalise

GROUP_RATIO = 60.0  # utterances this alike (token set ratio) are one group of examples
Passed = dict[str, tuple[frozenset[str], str]]  # phrase -> (its calls, why)


@dataclass(frozen=True)
class RulesInForce:
    """What a suggestion must not repeat: the directory and the intents' examples."""

    directory: Directory
    intents: Sequence[Intent]


class SuggestionMiner:
    def __init__(self, rules: RulesInForce, settings: SuggestSettings | None = None) -> None:
        self.rules = rules
        self.settings = settings or SuggestSettings()

    def suggest(self, calls: Iterable[LoggedCall]) -> list[Suggestion]:
        heard = [call for call in calls if call.said]
        found = [*self._aliases(heard), *self._examples(heard)]
        unique = {(s.kind, s.target, normalise(s.text)): s for s in found}
        return sorted(unique.values(), key=Suggestion.sort_key)

    # --- aliases --------------------------------------------------------------------

    def _aliases(self, calls: Sequence[LoggedCall]) -> list[Suggestion]:
        said = {call.call_id: _phrases_of(call) for call in calls}
        saying: dict[str, int] = defaultdict(int)  # phrase -> calls that said it
        for found in said.values():
            for phrase in found:
                saying[phrase] += 1
        suggestions: list[Suggestion] = []
        for entry_id, moved in sorted(_moved_to_entries(calls).items()):
            entry = self.rules.directory.get(entry_id)
            if entry is None or len(moved) < self.settings.min_calls:
                continue
            base_rate = len(moved) / len(calls)
            passed: Passed = {}
            for phrase, ids in sorted(_callers_saying(moved, said).items()):
                share = len(ids) / saying[phrase]
                lift = share / base_rate
                if (
                    len(ids) >= self.settings.min_calls
                    and share >= self.settings.min_share
                    and lift >= self.settings.min_lift
                    and not _named(entry, phrase)
                ):
                    why = (
                        f"{len(ids)} of the {saying[phrase]} calls that said {phrase!r} were"
                        f" moved there ({share:.0%}), {lift:.1f}x the {base_rate:.1%} of all"
                        " calls moved there"
                    )
                    passed[phrase] = (ids, why)
            for phrase, (ids, why) in passed.items():
                if _covered(phrase, ids, passed):
                    continue
                evidence = tuple(CallEvidence.of(c) for c in moved if c.call_id in ids)
                suggestions.append(
                    Suggestion(
                        SuggestionKind.ALIAS,
                        entry.id,
                        phrase,
                        entry.destination,
                        _in_order(evidence),
                        why,
                        place=entry.name,
                    )
                )
        return suggestions

    # --- examples -------------------------------------------------------------------

    def _examples(self, calls: Sequence[LoggedCall]) -> list[Suggestion]:
        by_destination: dict[str, list[LoggedCall]] = defaultdict(list)
        for call in calls:
            if call.move is not None:
                by_destination[call.move.destination].append(call)
        suggestions: list[Suggestion] = []
        for destination, moved in sorted(by_destination.items()):
            intents = [i for i in self.rules.intents if i.destination == destination]
            if not intents:
                continue
            untaught = [
                call
                for call in moved
                if max(closest(call.utterance, i.examples)[0] for i in intents)
                < self.settings.example_ratio
            ]
            for group in _groups(untaught):
                if len(group) < self.settings.min_calls:
                    continue
                text = representative([call.utterance for call in group])
                scored = [(closest(text, i.examples), n, i) for n, i in enumerate(intents)]
                (score, nearest), _, intent = max(scored, key=lambda s: (s[0][0], -s[1]))
                why = (
                    f"{len(group)} alike calls moved to {destination}; the nearest example of"
                    f" {intent.name} is {nearest!r} ({score:.0f} < {self.settings.example_ratio:g})"
                )
                evidence = _in_order(tuple(CallEvidence.of(c) for c in group))
                suggestions.append(
                    Suggestion(
                        SuggestionKind.EXAMPLE,
                        intent.name,
                        text,
                        destination,
                        evidence,
                        why,
                        place=self._place(destination),
                    )
                )
        return suggestions

    def _place(self, destination: str) -> str:
        entry = self.rules.directory.get(destination.removeprefix(DIRECTORY_PREFIX))
        return entry.name if entry is not None and destination.startswith(DIRECTORY_PREFIX) else ""


def _phrases_of(call: LoggedCall) -> frozenset[str]:
    return frozenset().union(*(phrases(text) for text in call.said))


def _callers_saying(
    moved: Sequence[LoggedCall], said: dict[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """Each phrase the moved calls said -> the ids of those that said it."""
    index: dict[str, set[str]] = defaultdict(set)
    for call in moved:
        for phrase in said[call.call_id]:
            index[phrase].add(call.call_id)
    return {phrase: frozenset(ids) for phrase, ids in index.items()}


def _moved_to_entries(calls: Sequence[LoggedCall]) -> dict[str, list[LoggedCall]]:
    moved: dict[str, list[LoggedCall]] = defaultdict(list)
    for call in calls:
        if call.move is not None and call.move.destination.startswith(DIRECTORY_PREFIX):
            moved[call.move.destination.removeprefix(DIRECTORY_PREFIX)].append(call)
    return moved


def _named(entry: DirectoryEntry, phrase: str) -> bool:
    """Whether the entry's names already say ``phrase`` (or ``phrase`` holds one of them)."""
    names = [entry.name, entry.team, entry.first_name, entry.surname, *entry.aliases]
    known = [n for n in (normalise(name) for name in names) if n]
    return any(contains(name, phrase) or contains(phrase, name) for name in known)


def _covered(phrase: str, ids: frozenset[str], passed: Passed) -> bool:
    """A longer phrase whose calls a shorter passing phrase within it already has."""
    return any(
        other != phrase and contains(phrase, other) and ids <= other_ids
        for other, (other_ids, _) in passed.items()
    )


def _groups(calls: Sequence[LoggedCall]) -> list[list[LoggedCall]]:
    """Alike utterances together, in the calls' order (deterministic)."""
    ordered = sorted(calls, key=lambda c: (c.started_at, c.call_id))
    found = groups([call.utterance for call in ordered], GROUP_RATIO)
    return [[ordered[i] for i in group] for group in found]


def _in_order(evidence: tuple[CallEvidence, ...]) -> tuple[CallEvidence, ...]:
    return tuple(sorted(evidence, key=lambda e: (e.at, e.call_id)))
