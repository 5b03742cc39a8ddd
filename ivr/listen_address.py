"""Where ``ivr serve`` and ``ivr sim`` listen, checked before anything starts.

An address we cannot listen on is the operator's typo or someone else's port, never our
bug: one line naming the address, the reason and a stable error id, and exit 1; never a
traceback. The host and port are checked before start-up (so a failure later, while
serving, is never mistaken for one of these), and a bind that still fails is mapped the
same way.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
from enum import StrEnum

MAX_PORT = 65_535


class ListenError(StrEnum):
    """Why we cannot listen: the error id printed with the message."""

    PORT_UNAVAILABLE = "port-unavailable"  # in use, or not ours to take
    PORT_OUT_OF_RANGE = "port-out-of-range"
    HOST_UNKNOWN = "host-unknown"  # not an address, and no name that resolves


class CannotListen(Exception):
    """``cannot listen on HOST:PORT: reason [error-id]``: printed as is, exit 1."""

    def __init__(self, host: str, port: int, reason: str, error_id: ListenError) -> None:
        self.error_id = error_id
        super().__init__(f"cannot listen on {host}:{port}: {reason} [{error_id}]")


def port_number(text: str) -> int:
    """argparse ``type=`` for a TCP port: 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{port} is not a port: use 0 to {MAX_PORT} [{ListenError.PORT_OUT_OF_RANGE}]"
        )
    return port


def check_listen_address(host: str, port: int) -> None:
    """CannotListen unless ``port`` is in range and ``host`` resolves.

    Blocking (a name lookup): call it before the event loop runs.
    """
    if not 0 <= port <= MAX_PORT:
        raise CannotListen(host, port, f"a port is 0 to {MAX_PORT}", ListenError.PORT_OUT_OF_RANGE)
    try:
        socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        reason = f"unknown host ({(exc.strerror or str(exc)).lower()})"
        raise CannotListen(host, port, reason, ListenError.HOST_UNKNOWN) from exc


_BIND_ERRORS = {errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES}


def bind_failure(host: str, port: int, exc: OSError) -> CannotListen | None:
    """A CannotListen for an error binding the port; None for any other OSError (re-raised)."""
    if exc.errno not in _BIND_ERRORS:
        return None
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return CannotListen(host, port, reason.lower(), ListenError.PORT_UNAVAILABLE)
