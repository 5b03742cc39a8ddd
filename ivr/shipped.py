"""Where the data the app ships with lives: the default rules, the prompts, the demo callers.

Admins and developers edit ``routing_rules/``, ``prompts/`` and ``demo/`` at the top of the
repository. A wheel carries the same folders inside the package, as ``ivr/data/<name>``
(``[tool.setuptools.package-dir]`` in pyproject.toml maps them there), because an
installed package has no repository beside it. So: the packaged copy when there is one,
else the checkout's (a source tree or an editable install).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
PACKAGED_DIR = PACKAGE_DIR / "data"


class Shipped(StrEnum):
    """A shipped folder, named as it is at the repository top."""

    ROUTING_RULES = "routing_rules"
    PROMPTS = "prompts"
    DEMO = "demo"


def shipped_folder(name: Shipped, packaged_dir: Path = PACKAGED_DIR) -> Path:
    """The folder the app reads ``name``'s defaults from: the wheel's copy, else the checkout's."""
    packaged = packaged_dir / name.value
    return packaged if packaged.is_dir() else REPO_ROOT / name.value


ROUTING_RULES = shipped_folder(Shipped.ROUTING_RULES)
PROMPTS = shipped_folder(Shipped.PROMPTS)
PROMPT_CATALOGUE = PROMPTS / "catalogue.yaml"
PROMPT_SOUNDS = PROMPTS / "sounds"
DEMO_CALLERS = shipped_folder(Shipped.DEMO) / "callers"
