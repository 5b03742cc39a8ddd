"""Passwords are argon2id hashes; unknown users cost the same check; names are safe."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ivr.console.passwords import (
    BadInput,
    Check,
    Passwords,
    check_name,
    check_password,
    check_phone,
)
from tests.unit.console.fixtures import FAST, PASSWORD


def test_a_hash_is_argon2id_and_checks_only_its_password() -> None:
    passwords = Passwords(FAST)
    stored = passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert passwords.check(stored, PASSWORD) is Check.RIGHT
    assert passwords.check(stored, PASSWORD + "x") is Check.WRONG


def test_a_hash_made_with_old_parameters_asks_to_be_rehashed() -> None:
    old = Passwords(FAST).hash(PASSWORD)
    newer = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert newer.check(old, PASSWORD) is Check.RIGHT_REHASH


def test_no_user_is_always_wrong_even_with_the_dummy_password() -> None:
    passwords = Passwords(FAST)
    assert passwords.check(None, PASSWORD) is Check.WRONG
    assert passwords.check("not a hash", PASSWORD) is Check.WRONG
    assert passwords.check(passwords.hash(PASSWORD), "x" * 5000) is Check.WRONG


@pytest.mark.parametrize("name", ["al", "alice", "j.smith-2", "op_1"])
def test_names_taken(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "a", "Alice", "1op", "al ice", "a" * 33, "api-token", "x;drop", "ál"]
)
def test_names_refused(name: str) -> None:
    with pytest.raises(BadInput):
        check_name(name)


def test_phones_and_passwords() -> None:
    assert check_phone("PJSIP/operator-1") == "PJSIP/operator-1"
    assert check_phone("") == ""
    with pytest.raises(BadInput):
        check_phone("operator 1")
    with pytest.raises(BadInput, match="10 to 1024"):
        check_password("short")
