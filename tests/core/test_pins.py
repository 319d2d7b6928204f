"""Tests for app.core.pins: PIN shape rules and the salted scrypt hash they are stored as."""

from __future__ import annotations

import hashlib
import re

import pytest

from app.core.errors import OperatorError
from app.core.pins import check_pin_shape, hash_pin, verify_pin

SALT = bytes(range(16))
HASH_SHAPE = re.compile(r"scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}")


@pytest.fixture(scope="module")
def stored_1234() -> str:
    return hash_pin("1234")


def _scrypt_text(pin: str, *, n: int, r: int, p: int, salt: bytes = SALT) -> str:
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("1234", id="four-digits"),
        pytest.param("0000", id="all-zeros"),
        pytest.param("0042", id="leading-zeros"),
        pytest.param("123456789012", id="twelve-digits"),
    ],
)
def test_hash_then_verify_round_trip(pin: str) -> None:
    stored = hash_pin(pin)
    assert HASH_SHAPE.fullmatch(stored), stored
    assert pin not in stored.split("$")
    assert verify_pin(pin, stored) is True


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param("1235", id="last-digit"),
        pytest.param("4321", id="reversed"),
        pytest.param("12345", id="one-digit-more"),
        pytest.param("123", id="one-digit-less"),
        pytest.param("", id="empty"),
        pytest.param(" 1234", id="leading-space"),
        pytest.param("01234", id="leading-zero-added"),
    ],
)
def test_wrong_pin_is_false(stored_1234: str, wrong: str) -> None:
    assert verify_pin(wrong, stored_1234) is False


def test_hash_of_another_pin_does_not_verify(stored_1234: str) -> None:
    assert verify_pin("2345", stored_1234) is False
    assert verify_pin("1234", hash_pin("2345", salt=SALT)) is False


def _tampered(stored: str, index: int, value: str) -> str:
    parts = stored.split("$")
    parts[index] = value
    return "$".join(parts)


GOOD_FOR_1234 = _scrypt_text("1234", n=2**14, r=8, p=1)


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("", id="empty"),
        pytest.param("1234", id="plain-pin-stored"),
        pytest.param("garbage", id="garbage"),
        pytest.param("scrypt$16384$8$1", id="too-few-parts"),
        pytest.param(GOOD_FOR_1234 + "$extra", id="too-many-parts"),
        pytest.param(_tampered(GOOD_FOR_1234, 0, "bcrypt"), id="other-scheme"),
        pytest.param(_tampered(GOOD_FOR_1234, 0, "SCRYPT"), id="scheme-upper-case"),
        pytest.param(_tampered(GOOD_FOR_1234, 1, "lots"), id="n-not-a-number"),
        pytest.param(_tampered(GOOD_FOR_1234, 1, "1000"), id="n-not-a-power-of-two"),
        pytest.param(_tampered(GOOD_FOR_1234, 2, "0"), id="r-zero"),
        pytest.param(_tampered(GOOD_FOR_1234, 3, ""), id="p-empty"),
        pytest.param(_tampered(GOOD_FOR_1234, 4, "zz" * 16), id="salt-not-hex"),
        pytest.param(_tampered(GOOD_FOR_1234, 4, "abc"), id="salt-odd-length"),
        pytest.param(_tampered(GOOD_FOR_1234, 5, GOOD_FOR_1234.split("$")[5][:-2]), id="digest-truncated"),
        pytest.param(_tampered(GOOD_FOR_1234, 5, ""), id="digest-empty"),
    ],
)
def test_malformed_stored_hash_is_false_not_an_exception(stored: str) -> None:
    assert verify_pin("1234", stored) is False


def test_the_untampered_reference_hash_verifies() -> None:
    # Guards the table above: each malformed case differs from a hash that does verify.
    assert verify_pin("1234", GOOD_FOR_1234) is True


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(_tampered(GOOD_FOR_1234, 5, "é" * 64), id="non-ascii-digest"),
        pytest.param(_tampered(GOOD_FOR_1234, 1, "9" * 20), id="n-too-big-for-c"),
    ],
)
def test_malformed_stored_hash_that_breaks_the_library_is_false(stored: str) -> None:
    assert verify_pin("1234", stored) is False


def test_parameters_stored_with_the_hash_are_the_ones_used() -> None:
    # Cheaper parameters than today's: an older hash keeps verifying after the cost is raised.
    older = _scrypt_text("2468", n=2**10, r=4, p=2)
    assert verify_pin("2468", older) is True
    assert verify_pin("2469", older) is False


def test_two_hashes_of_the_same_pin_differ() -> None:
    first, second = hash_pin("2345"), hash_pin("2345")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4], "the salt must differ"
    assert verify_pin("2345", first)
    assert verify_pin("2345", second)


def test_same_salt_gives_the_same_hash() -> None:
    assert hash_pin("2345", salt=SALT) == hash_pin("2345", salt=SALT) == _scrypt_text("2345", n=2**14, r=8, p=1)


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("1234", id="4-digits"),
        pytest.param("12345678", id="8-digits"),
        pytest.param("123456789012", id="12-digits"),
    ],
)
def test_pin_shape_accepts_4_to_12_digits(pin: str) -> None:
    check_pin_shape(pin)


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("", id="empty"),
        pytest.param("123", id="3-digits"),
        pytest.param("1234567890123", id="13-digits"),
        pytest.param("12a4", id="letter-inside"),
        pytest.param("abcd", id="letters-only"),
        pytest.param("PIN1234", id="letters-before"),
        pytest.param("12 34", id="space-inside"),
        pytest.param(" 1234", id="leading-space"),
        pytest.param("-1234", id="minus-sign"),
        pytest.param("12.34", id="decimal-point"),
    ],
)
def test_pin_shape_refuses(pin: str) -> None:
    with pytest.raises(OperatorError) as caught:
        check_pin_shape(pin)
    assert caught.value.message == "A PIN is 4 to 12 digits"
    assert caught.value.hint.strip()
    assert "digits" in caught.value.hint


@pytest.mark.parametrize(
    "pin",
    [pytest.param("123", id="3-digits"), pytest.param("1234567890123", id="13-digits"), pytest.param("12ab", id="ab")],
)
def test_hash_pin_refuses_a_bad_shape(pin: str) -> None:
    with pytest.raises(OperatorError, match="4 to 12 digits"):
        hash_pin(pin)


@pytest.mark.parametrize(
    "pin",
    [
        pytest.param("1234\n", id="trailing-newline"),
        pytest.param("\uff11\uff12\uff13\uff14", id="full-width-digits"),
        pytest.param("\u0661\u0662\u0663\u0664", id="arabic-indic-digits"),
    ],
)
def test_pin_shape_refuses_what_is_not_ascii_digits_only(pin: str) -> None:
    with pytest.raises(OperatorError):
        check_pin_shape(pin)
