"""The fixture routing bundle and an engine over it, shared by the decision tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.engine import RoutingEngine

HERE = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def bundle() -> RoutingBundle:
    return load_bundle(HERE / "bundle")


@pytest.fixture(scope="module")
def engine(bundle: RoutingBundle) -> RoutingEngine:
    return RoutingEngine(bundle)
