from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.whatif.synthetic import write_log


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four weeks of two queues with known demand (tests.unit.whatif.synthetic)."""
    path = tmp_path_factory.mktemp("whatif") / "calls.db"
    write_log(path)
    return path
