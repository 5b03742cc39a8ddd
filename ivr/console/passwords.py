"""Passwords (argon2id, the library's defaults) and the names people sign in with.

A check against an unknown or disabled user still verifies a hash (a dummy one), so
the time taken does not say which names exist.
"""

from __future__ import annotations

import re
import secrets
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte on every try would be a way to load the server
MACHINE_NAME = "api-token"  # the bearer token's operator: no person may take the name

_NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
_PHONE = re.compile(r"[A-Za-z]{2,16}/[A-Za-z0-9._@:+-]{1,64}")


class BadInput(ValueError):
    """A name, phone or password that is refused, with why."""


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name == MACHINE_NAME:
        raise BadInput(
            "a user name is 2 to 32 characters: lower-case letters, digits, '.', '_' or '-',"
            " starting with a letter"
        )
    return name


def check_phone(phone: str) -> str:
    if phone and not _PHONE.fullmatch(phone):
        raise BadInput("a phone is an Asterisk endpoint such as PJSIP/operator-1")
    return phone


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(f"a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


class Check(Enum):
    WRONG = "wrong"
    RIGHT = "right"
    RIGHT_REHASH = "right-rehash"  # right, hashed with old parameters: store a new hash


class Passwords:
    """Hashes and checks; CPU-bound (tens of ms): run it off the event loop."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy = self._hasher.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        return self._hasher.hash(check_password(password))

    def check(self, stored: str | None, password: str) -> Check:
        """``stored`` None (no such user, or disabled): checked against a dummy, WRONG."""
        if len(password) > MAX_PASSWORD:
            return Check.WRONG
        try:
            self._hasher.verify(stored or self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Check.WRONG
        if stored is None:
            return Check.WRONG
        return Check.RIGHT_REHASH if self._hasher.check_needs_rehash(stored) else Check.RIGHT
