"""Settings for the whole suite.

Hypothesis's deadline and "too slow" health check time each example: on a loaded
2-core CI machine they fail tests for the machine's speed, not the code's behaviour
(tests pin behaviour; speed is measured in bench/). Examples stay as many as before.

Every test that runs against the real Asterisk (it uses the ``asterisk`` fixture of
tests/real) is marked ``real``: `make test` runs those beside the rest
(scripts/run_tests.sh), since they mostly wait on prompts playing in real time.
"""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "asterisk" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real)
