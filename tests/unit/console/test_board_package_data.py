"""The board's templates and static files go into the wheel: pyproject's package data for
``ivr.console`` names every one of them (a file left out works in the checkout, 404s when
installed)."""

from __future__ import annotations

import tomllib

from ivr.console.pages import STATIC_DIR, TEMPLATES_DIR
from ivr.shipped import REPO_ROOT

PACKAGE = TEMPLATES_DIR.parent


def test_every_template_and_static_file_is_package_data() -> None:
    setuptools = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = setuptools["tool"]["setuptools"]["package-data"]["ivr.console"]
    shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    files = {p for folder in (TEMPLATES_DIR, STATIC_DIR) for p in folder.rglob("*") if p.is_file()}
    assert files and files <= shipped
