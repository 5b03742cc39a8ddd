"""A ruleset folder for import tests: rules of its own that name no directory entry.

An import checks the rules of the folder it writes into (its own rules.yaml, else the
shipped one), and the shipped rules cover ``firearms-licensing`` in closed hours: an
import of a few test rows into a bare folder is refused, as it must be, since
``ivr rules check`` would then fail. Tests about writing give the folder its own rules.
"""

from __future__ import annotations

from pathlib import Path

NO_ENTRY_RULES = "rules: []\n"


def own_rules(folder: Path) -> Path:
    """``folder`` (made if need be) with a rules.yaml that names no directory entry."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rules.yaml").write_text(NO_ENTRY_RULES, encoding="utf-8")
    return folder
