"""Settings for the whole suite.

Hypothesis's deadline and "too slow" health check time each example: on a loaded
2-core CI machine they fail tests for the machine's speed, not the code's behaviour
(tests pin behaviour; speed is measured in bench/). Examples stay as many as before.

Every test that runs against the real Asterisk (it uses the ``asterisk`` fixture of
tests/real) is marked ``real``: `make test` runs those beside the rest
(scripts/run_tests.sh), since they mostly wait on prompts playing in real time.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ivr.store.engine import Dialect
from tests.postgres import PostgresServer, running_postgres

settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "asterisk" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session's tests (tests/postgres.py)."""
    if not PostgresServer.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15 is not installed (scripts/install_system.sh installs it)")
        pytest.skip("PostgreSQL 15's binaries are not installed here")
    with running_postgres() as server:
        yield server


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A PostgreSQL URL whose schema is this test's own."""
    with postgres_server.schema() as url:
        yield url


@pytest.fixture(params=[Dialect.SQLITE, Dialect.POSTGRES], ids=["sqlite", "postgresql"])
def db_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The call database on each engine in turn: a SQLite file, or a PostgreSQL schema.

    A test that takes this fixture runs twice; the store under test is the same code.
    """
    if request.param is Dialect.SQLITE:
        return str(tmp_path / "calls.db")
    return str(request.getfixturevalue("pg_url"))
