"""The one embedded harness: simulator + app on free ports, for `ivr call`, `ivr demo`
and the integration tests (``start``: bring them up; ``harness``: place calls, read
the call log, wait for a call to end)."""

from ivr.embedded.harness import AppWatch, Embedded, prompt_seconds
from ivr.embedded.start import (
    CREDENTIALS,
    WEEKDAY_MORNING,
    RunningSimulator,
    bound_socket,
    embedded,
    running_app,
    running_simulator,
    serving,
    shifted_clock,
)

__all__ = [
    "CREDENTIALS",
    "WEEKDAY_MORNING",
    "AppWatch",
    "Embedded",
    "RunningSimulator",
    "bound_socket",
    "embedded",
    "prompt_seconds",
    "running_app",
    "running_simulator",
    "serving",
    "shifted_clock",
]
