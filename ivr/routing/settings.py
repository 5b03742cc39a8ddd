"""[routing]: the routing_rules folder the app publishes (None: the shipped one)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr.sections import PATH, Section, option


@dataclass(frozen=True)
class RoutingSettings(Section):
    TABLE = "routing"

    # Laid out like routing_rules/; a file missing from it is the shipped one.
    rules_dir: Path | None = option(None, PATH, key="rules", env="IVR_RULES")
