"""Signed, opaque tokens: the chat link's and the caller's chat cookie.

A token is ``<id>.<signature>``: the id is random (it names a row, it says nothing about
the caller), the signature an HMAC-SHA256 of purpose and id under the [chat] secret, so
a guessed or edited token is refused before any database read. Single use and expiry
are the link row's (ivr.chat.links): a signature alone cannot be revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from enum import StrEnum

_ID_BYTES = 16
_SIG_BYTES = 16  # 128 bits: far past guessing, short enough for a text message


class Purpose(StrEnum):
    LINK = "link"  # the texted link
    CALLER = "caller"  # the cookie that ties a browser to its chat


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class TokenSigner:
    def __init__(self, secret: str) -> None:
        """``secret``: [chat] secret; "" makes a random one (valid for this process only)."""
        self._key = (secret or secrets.token_urlsafe(32)).encode("utf-8")

    @staticmethod
    def new_id() -> str:
        return _b64(secrets.token_bytes(_ID_BYTES))

    def sign(self, purpose: Purpose, value: str) -> str:
        return f"{value}.{self._signature(purpose, value)}"

    def verify(self, purpose: Purpose, token: str) -> str | None:
        """The id a good token carries; None for anything else (never raises)."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        value, dot, signature = token.rpartition(".")
        if not dot or not value:
            return None
        if not hmac.compare_digest(signature, self._signature(purpose, value)):
            return None
        return value

    def _signature(self, purpose: Purpose, value: str) -> str:
        message = f"{purpose.value}:{value}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest()[:_SIG_BYTES])
