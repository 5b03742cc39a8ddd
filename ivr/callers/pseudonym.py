"""Caller numbers as keyed pseudonyms: history can be kept without keeping numbers.

The history tables hold HMAC-SHA256(key, E.164 number), never the number. A
plain hash of a phone number is no protection (the UK mobile range is small
enough to hash in minutes); a keyed hash is, as long as the key stays out of
the database. The same key must be used by the server and by ``ivr callers``,
and it must survive restarts, or yesterday's callers are strangers today.

Withheld, anonymous and short (extension, service code) numbers have no
pseudonym: they must never match each other, or every withheld caller would
look like one persistent nuisance.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

log = logging.getLogger(__name__)

# What Asterisk and SIP trunks present when there is no usable number.
WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "unknown",
        "withheld",
        "private",
        "restricted",
        "unavailable",
        "payphone",
        "none",
        "0",
    }
)
MIN_DIGITS = 7  # shorter: an extension or a service code, not somebody's line
MAX_DIGITS = 15  # E.164
COUNTRY = "44"  # national numbers are UK ones
_SEPARATORS = re.compile(r"[\s\-.()/]")


def normalise_number(number: str) -> str | None:
    """The E.164 form (``+447700900123``) of a presented number, or None when it names nobody.

    ``07700 900123``, ``+44 (0)7700 900123``, ``00447700900123``, ``447700900123`` and
    ``7700900123`` are one caller: trunks present the same line in all of these forms.
    """
    text = number.strip().lower()
    if text in WITHHELD:
        return None
    text = _SEPARATORS.sub("", text.replace("(0)", ""))
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif text.startswith("0"):
        digits = COUNTRY + text[1:]
    elif text.startswith(COUNTRY) and len(text) == 12:
        digits = text
    elif len(text) == 10:
        digits = COUNTRY + text  # a UK national number presented without its trunk 0
    else:
        digits = text
    if not digits.isdigit() or set(digits) == {"0"}:
        return None
    national = digits[len(COUNTRY) :] if digits.startswith(COUNTRY) else digits
    if len(national) < MIN_DIGITS or len(digits) > MAX_DIGITS:
        return None
    return "+" + digits


class Pseudonymiser:
    """Turns numbers into stable keyed pseudonyms (hex HMAC-SHA256 of the E.164 form)."""

    def __init__(self, key: str | bytes) -> None:
        raw = key.encode() if isinstance(key, str) else key
        if not raw:
            raise ValueError("a pseudonym key must not be empty")
        self._key = raw

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<hidden>)"

    @classmethod
    def from_setting(cls, key: str) -> Pseudonymiser:
        """The configured key; without one a random key for this process only, loudly.

        A random key keeps the app answering calls, but every pseudonym changes at the next
        restart: repeat and nuisance counts start again from zero and flags set with
        ``ivr callers flag`` never match. Set IVR_CALLER_KEY in production.
        """
        if key:
            return cls(key)
        log.warning(
            "IVR_CALLER_KEY is not set: caller history uses a random key for this process only;"
            " repeat/nuisance history and operator flags will not match after a restart"
        )
        return cls(secrets.token_bytes(32))

    def pseudonym(self, number: str) -> str | None:
        """None for withheld or unusable numbers: such callers match nobody, not each other."""
        e164 = normalise_number(number)
        if e164 is None:
            return None
        return hmac.new(self._key, e164.encode(), hashlib.sha256).hexdigest()
