"""Errors from ARI REST calls, split by what the caller of the client must do."""

from __future__ import annotations


class AriError(Exception):
    """Any failure talking to ARI; carries a stable error_id for logs."""

    error_id = "ari-error"


class AriUnavailable(AriError):
    """Asterisk could not be reached (connection refused, reset, timeout)."""

    error_id = "ari-unavailable"


class AriHttpError(AriError):
    """ARI refused a request; the message names the route and status, never credentials."""

    error_id = "ari-http-error"

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {message}")
        self.method = method
        self.path = path
        self.status = status
        self.message = message


class AriNotFound(AriHttpError):
    """404: the channel, bridge or playback is gone. For a call this means 'already gone'."""

    error_id = "ari-not-found"


class AriConflict(AriHttpError):
    """409/422: the object exists but is not in a state for this (e.g. not in Stasis yet)."""

    error_id = "ari-conflict"


class AriAuthError(AriHttpError):
    """401: wrong ARI credentials; retrying will not help."""

    error_id = "ari-auth"


def http_error(method: str, path: str, status: int, message: str) -> AriHttpError:
    if status == 404:
        return AriNotFound(method, path, status, message)
    if status in (409, 422):
        return AriConflict(method, path, status, message)
    if status == 401:
        return AriAuthError(method, path, status, message)
    return AriHttpError(method, path, status, message)
