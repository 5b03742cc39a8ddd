"""Shared fixtures of the contract suite: the reference folder and the parsed Swagger,
and the real Asterisk of tests/real (for the tests that run a scenario on both)."""

from __future__ import annotations

import pytest

from tests.contract.swagger import Swagger, api_docs_dir, shared_dir, traces_dir

# The real-Asterisk fixtures, reused as they are (skipped with a reason without a build).
from tests.real.conftest import asterisk, db_path, parties

__all__ = ["asterisk", "db_path", "parties", "shared_available", "swagger"]

SHARED_MISSING = (
    f"reference folder {shared_dir()} (../shared next to the repository) is absent: "
    "the ARI Swagger docs and golden traces are needed for the contract tests"
)


def shared_available() -> bool:
    return api_docs_dir().is_dir() and traces_dir().is_dir()


@pytest.fixture(scope="session")
def swagger() -> Swagger:
    if not shared_available():
        pytest.skip(SHARED_MISSING)
    return Swagger()
