"""Listen addresses are checked before start-up: a stable error id for each refusal."""

from __future__ import annotations

import argparse
import errno

import pytest

from ivr.listen_address import (
    CannotListen,
    ListenError,
    bind_failure,
    check_listen_address,
    port_number,
)


@pytest.mark.parametrize(("text", "port"), [("0", 0), ("8088", 8088), ("65535", 65535)])
def test_a_port_from_0_to_65535_is_taken(text: str, port: int) -> None:
    assert port_number(text) == port


@pytest.mark.parametrize("text", ["-1", "65536", "99999", "http", ""])
def test_anything_else_is_refused_by_the_parser(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        port_number(text)


@pytest.mark.parametrize(("port", "error"), [(99999, ListenError.PORT_OUT_OF_RANGE)])
def test_a_port_out_of_range_is_refused_before_binding(port: int, error: ListenError) -> None:
    with pytest.raises(CannotListen) as caught:
        check_listen_address("127.0.0.1", port)
    assert caught.value.error_id is error
    assert str(caught.value).endswith(f"[{error}]")


def test_a_host_that_does_not_resolve_is_refused_before_binding() -> None:
    with pytest.raises(CannotListen) as caught:
        check_listen_address("nosuchhost.invalid", 8088)
    assert caught.value.error_id is ListenError.HOST_UNKNOWN


def test_an_address_we_can_listen_on_passes() -> None:
    check_listen_address("127.0.0.1", 0)


def test_only_binding_errors_become_cannot_listen() -> None:
    busy = bind_failure("127.0.0.1", 80, OSError(errno.EADDRINUSE, "in use"))
    assert busy is not None and busy.error_id is ListenError.PORT_UNAVAILABLE
    assert bind_failure("127.0.0.1", 80, OSError(errno.EIO, "i/o")) is None
