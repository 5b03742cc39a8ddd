"""The real Asterisk for tests/real: one per session (it boots in under a second, but
the build is found once), each test's app and parties its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.real.asterisk import AsteriskMissing, RealAsterisk, running_asterisk, test_files
from tests.real.parties import Parties, parties_on


@pytest.fixture(scope="session")
def asterisk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealAsterisk]:
    try:
        root = tmp_path_factory.mktemp("asterisk")
        with running_asterisk(root, test_files()) as running:
            yield running
    except AsteriskMissing as missing:
        pytest.skip(str(missing))


@pytest.fixture
async def parties(asterisk: RealAsterisk) -> AsyncIterator[Parties]:
    async with parties_on(asterisk) as running:
        yield running


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "calls.db")
