"""Settings for the whole suite.

Hypothesis's deadline and "too slow" health check time each example: on a loaded
2-core CI machine they fail tests for the machine's speed, not the code's behaviour
(tests pin behaviour; speed is measured in bench/). Examples stay as many as before.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")
