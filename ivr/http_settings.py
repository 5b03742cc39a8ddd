"""[http]: where the app's HTTP server listens, and the operator API's token.

The token comes from IVR_API_TOKEN only (a secret, kept out of config files); without
one the API (/api/...) is off, never open.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.sections import POSITIVE, TEXT, Section, Token, option

MIN_TOKEN_LENGTH = 16  # a short token is guessable over an open port


@dataclass(frozen=True)
class HttpSettings(Section):
    TABLE = "http"

    host: str = option("127.0.0.1", TEXT)
    port: int = option(8101, POSITIVE)
    api_token: str = option(
        "", Token(MIN_TOKEN_LENGTH), env="IVR_API_TOKEN", file=False, secret=True
    )
