"""What the wheel carries: every package of ivr/, and the shipped folders admins edit."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ivr.shipped import REPO_ROOT, Shipped, shipped_folder

SETUPTOOLS = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def test_every_python_folder_under_ivr_is_a_listed_package() -> None:
    folders = {
        ".".join(path.parent.relative_to(REPO_ROOT).parts)
        for path in (REPO_ROOT / "ivr").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders <= set(SETUPTOOLS["packages"])


def test_every_shipped_folder_goes_into_the_wheel_as_ivr_data() -> None:
    mapped = SETUPTOOLS["package-dir"]
    assert mapped == {f"ivr.data.{name.value}": name.value for name in Shipped}
    assert all((REPO_ROOT / folder).is_dir() for folder in mapped.values())


def test_the_packaged_copy_wins_over_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "routing_rules").mkdir()
    assert shipped_folder(Shipped.ROUTING_RULES, tmp_path) == tmp_path / "routing_rules"
    assert shipped_folder(Shipped.PROMPTS, tmp_path) == REPO_ROOT / "prompts"
