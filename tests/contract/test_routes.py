"""The simulator's /ari routes against the ARI Swagger docs and the traces' needs."""

from __future__ import annotations

import json
import re

import pytest
from aiohttp import web

from tests.contract.conftest import SHARED_MISSING, shared_available
from tests.contract.swagger import Swagger, traces_dir

#: Every ARI operation the golden traces use (the IVR app's and the test harness's).
#: test_the_ivr_operation_list_is_the_one_the_traces_use keeps this list honest.
IVR_OPERATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/events"),
        ("GET", "/asterisk/info"),
        ("GET", "/applications/{applicationName}"),
        ("GET", "/channels"),
        ("POST", "/channels"),
        ("POST", "/channels/create"),
        ("POST", "/channels/externalMedia"),
        ("GET", "/channels/{channelId}"),
        ("DELETE", "/channels/{channelId}"),
        ("POST", "/channels/{channelId}/answer"),
        ("POST", "/channels/{channelId}/ring"),
        ("DELETE", "/channels/{channelId}/ring"),
        ("POST", "/channels/{channelId}/hold"),
        ("DELETE", "/channels/{channelId}/hold"),
        ("POST", "/channels/{channelId}/moh"),
        ("DELETE", "/channels/{channelId}/moh"),
        ("POST", "/channels/{channelId}/silence"),
        ("DELETE", "/channels/{channelId}/silence"),
        ("POST", "/channels/{channelId}/play"),
        ("POST", "/channels/{channelId}/play/{playbackId}"),
        ("POST", "/channels/{channelId}/dtmf"),
        ("GET", "/channels/{channelId}/variable"),
        ("POST", "/channels/{channelId}/snoop"),
        ("POST", "/channels/{channelId}/dial"),
        ("POST", "/bridges"),
        ("GET", "/bridges/{bridgeId}"),
        ("DELETE", "/bridges/{bridgeId}"),
        ("POST", "/bridges/{bridgeId}/addChannel"),
        ("GET", "/playbacks/{playbackId}"),
        ("DELETE", "/playbacks/{playbackId}"),
        ("POST", "/playbacks/{playbackId}/control"),
    }
)

_PARAM = re.compile(r"\{[^}]*\}")


def _shape(template: str) -> str:
    """A path template with its parameter names erased: /channels/{}/play."""
    return _PARAM.sub("{}", template)


def _served() -> set[tuple[str, str]]:
    """(method, template under /ari) of every route the simulator registers."""
    from ivr.simulator import Simulator, SimulatorConfig

    app: web.Application = Simulator(SimulatorConfig()).app
    out = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("path") or info.get("formatter") or "")
        if not path.startswith("/ari/") or route.method == "HEAD":
            continue
        if route.method == "*":
            continue  # the catch-all that answers 404 "Resource not found"
        out.add((route.method, path.removeprefix("/ari")))
    return out


@pytest.mark.skipif(not shared_available(), reason=SHARED_MISSING)
def test_every_served_ari_route_is_a_documented_operation(swagger: Swagger) -> None:
    documented = {(op.method, _shape(op.path)) for op in swagger.operations}
    undocumented = sorted(
        f"{method} /ari{path}"
        for method, path in _served()
        if (method, _shape(path)) not in documented
    )
    assert undocumented == []


@pytest.mark.skipif(not shared_available(), reason=SHARED_MISSING)
def test_every_operation_the_ivr_needs_is_served() -> None:
    served = {(m, _shape(p)) for m, p in _served()}
    missing = sorted(f"{m} /ari{p}" for m, p in IVR_OPERATIONS if (m, _shape(p)) not in served)
    assert missing == []


@pytest.mark.skipif(not shared_available(), reason=SHARED_MISSING)
def test_the_ivr_operation_list_is_the_one_the_traces_use(swagger: Swagger) -> None:
    used: set[tuple[str, str]] = set()
    for path in sorted(traces_dir().glob("*.json")):
        for step in json.loads(path.read_text())["steps"]:
            if step["kind"] == "rest":
                op = swagger.find_operation(step["method"], step["path"])
                if op is not None:
                    used.add((op.method, op.path))
            elif step["kind"] == "ws":
                used.add(("GET", "/events"))
    assert used == IVR_OPERATIONS


def test_the_catch_all_route_is_the_only_wildcard() -> None:
    from ivr.simulator import Simulator, SimulatorConfig

    app = Simulator(SimulatorConfig()).app
    wild = [
        r.resource.canonical
        for r in app.router.routes()
        if r.method == "*" and r.resource is not None
    ]
    assert all(p.startswith("/ari/") for p in wild) and len(wild) <= 1
