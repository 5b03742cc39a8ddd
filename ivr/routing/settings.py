"""[routing]: the routing_rules folder the app publishes (None: the shipped one), and
the sentence model intents are matched by meaning with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr.sections import PATH, TEXT, Section, option


@dataclass(frozen=True)
class RoutingSettings(Section):
    TABLE = "routing"

    # Laid out like routing_rules/; a file missing from it is the shipped one.
    rules_dir: Path | None = option(None, PATH, key="rules", env="IVR_RULES")
    # "packaged" (all-MiniLM-L6-v2 from its wheel), a sentence-transformers folder of a
    # BERT-family model, or "off" (words only: fuzzy examples and keywords).
    meaning: str = option("packaged", TEXT, env="IVR_MEANING")
