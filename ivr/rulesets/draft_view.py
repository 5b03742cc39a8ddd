"""A Decision as the admin pages show it (the contract's "D"): where, why, and the steps.

The same shape for the draft's decision and the live one in "try it", and for a logged
decision and its replay, so a page puts any two side by side. ``explanation`` is the
decision's reasons, the rules that fired, what it plays and offers, and the directory's
best candidates: what ``ivr route`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ivr.decisions import (
    DIRECTORY_PREFIX,
    EMERGENCY,
    FCR,
    ONLINE,
    RC,
    SWITCHBOARD,
    Action,
    Candidate,
    Decision,
)
from ivr.directory import Directory

SERVICE_LABELS = {
    EMERGENCY: "Emergency (999)",
    FCR: "Force Control Room",
    RC: "Resolution Centre",
    ONLINE: "Online reporting",
    SWITCHBOARD: "Switchboard",
}
CANDIDATES_SHOWN = 3
ACTIONS: tuple[Action, ...] = ("route", "confirm", "disambiguate", "reprompt")


def destination_label(destination: str | None, directory: Directory | None) -> str:
    """What admins call it: the entry's name, a service's name, or the id as it is."""
    if not destination:
        return ""
    if destination.startswith(DIRECTORY_PREFIX) and directory is not None:
        entry = directory.get(destination.removeprefix(DIRECTORY_PREFIX))
        if entry is not None:
            return entry.name
    return SERVICE_LABELS.get(destination, destination)


def confidence(decision: Decision) -> float | None:
    """How sure the decision was: its match score, else its best candidate's."""
    score = decision.evidence.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        return round(float(score), 4)
    if decision.candidates:
        return round(decision.candidates[0].score, 4)
    return None


def explanation(decision: Decision) -> list[str]:
    lines = [part for part in decision.reason.split("; ") if part]
    fired = decision.evidence.get("rules")
    if isinstance(fired, list) and fired:
        lines.append("rules: " + " → ".join(str(rule) for rule in fired))
    if decision.message:
        lines.append(f"plays {decision.message}")
    if decision.offers:
        lines.append(f"offers {', '.join(decision.offers)}")
    if decision.ask is not None:
        lines.append(f"asks for the {decision.ask.value} next")
    for c in decision.candidates[:CANDIDATES_SHOWN]:
        lines.append(f"candidate {c.name} ({c.score:.2f}) {c.evidence}".rstrip())
    return lines


def view(decision: Decision, directory: Directory | None) -> dict[str, Any]:
    return {
        "action": decision.action,
        "destination": decision.destination,
        "destination_label": destination_label(decision.destination, directory),
        "rule": decision.rule,
        "reason": decision.reason,
        "intent": decision.intent,
        "confidence": confidence(decision),
        "explanation": explanation(decision),
        "ruleset_version": decision.ruleset_version,
        "otherwise": _otherwise(decision.otherwise, directory),
    }


def _otherwise(decision: Decision | None, directory: Directory | None) -> dict[str, Any] | None:
    """A danger check's "no": where the call goes when nobody is in danger now."""
    if decision is None:
        return None
    return {
        "action": decision.action,
        "destination": decision.destination,
        "destination_label": destination_label(decision.destination, directory),
        "rule": decision.rule,
    }


def logged_decision(row: Mapping[str, Any]) -> Decision:
    """A ``decisions`` row (ivr.store.db.CallStore.add_decision) as the Decision it was."""
    action = str(row.get("action") or "")
    candidates = tuple(
        Candidate(
            str(c.get("destination", "")),
            str(c.get("name", "")),
            float(c.get("score", 0.0)),
            str(c.get("evidence", "")),
        )
        for c in _json(row.get("candidates"), list)
        if isinstance(c, dict) and isinstance(c.get("score", 0.0), int | float)
    )
    evidence = _json(row.get("evidence"), dict)
    offers = tuple(str(o) for o in _json(row.get("offers"), list))
    version = row.get("ruleset_version")
    known: Action = next((a for a in ACTIONS if a == action), "route")
    destination = str(row.get("destination") or "") or None
    return Decision(
        action=known,
        destination=destination,
        rule=str(row.get("rule") or ""),
        reason=str(row.get("reason") or ""),
        intent=str(row.get("intent") or "") or None,
        candidates=candidates,
        message=str(row.get("message") or "") or None,
        offers=offers,
        evidence=evidence,
        ruleset_version=version if isinstance(version, int) else None,
        otherwise=_logged_otherwise(known, destination, evidence),
    )


def _logged_otherwise(
    action: Action, destination: str | None, evidence: Mapping[str, Any]
) -> Decision | None:
    """A logged danger check's "no", from the summary its evidence keeps."""
    kept = evidence.get("otherwise")
    if action != "confirm" or destination != EMERGENCY or not isinstance(kept, Mapping):
        return None
    then = str(kept.get("action") or "")
    known: Action = next((a for a in ACTIONS if a == then), "route")
    return Decision(
        known,
        str(kept.get("destination") or "") or None,
        str(kept.get("rule") or ""),
        "nobody in danger now",
    )


def _json(text: Any, kind: type[Any]) -> Any:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    return value if isinstance(value, kind) else kind()
