"""Tests for app.core.identifiers: what a scanned or typed string is classified as, and why it is refused.

Check digits used below were verified by hand-independent computation, not copied from examples.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from app.core.errors import InvalidScan, OperatorError
from app.core.identifiers import (
    GS,
    GS1Element,
    IdentifierKind,
    Scan,
    ScanRules,
    classify,
    gs1_human_readable,
    gtin_check_digit,
    is_valid_imei,
    luhn_check_digit,
    parse_gs1,
)

# U+FF10..U+FF19 look like digits and str.isdigit() accepts them; an IMEI must be ASCII.
FULL_WIDTH_IMEI = "490154203237518".translate({code: code + 0xFEE0 for code in range(0x30, 0x3A)})
IMEI_HINT = "Rescan the label or type the IMEI from *#06# — one digit is probably misread"

# The worked example from the brief: GTIN, serial, batch and expiry in one GS1-128 symbol.
GS1_EXAMPLE = "]C1" + "0109501101530003" + "21SN12345" + GS + "10LOT7" + GS + "17261231"
GS1_EXAMPLE_BRACKETED = "(01)09501101530003(21)SN12345(10)LOT7(17)261231"
GS1_EXAMPLE_ELEMENTS = (
    GS1Element("01", "09501101530003", "GTIN"),
    GS1Element("21", "SN12345", "Serial"),
    GS1Element("10", "LOT7", "Batch/lot"),
    GS1Element("17", "261231", "Expiry date"),
)


def refused(raw: str, rules: ScanRules | None = None) -> InvalidScan:
    """Classify ``raw`` expecting a refusal; check the operator-facing contract of every refusal."""
    with pytest.raises(InvalidScan) as caught:
        classify(raw) if rules is None else classify(raw, rules)
    error = caught.value
    assert isinstance(error, OperatorError)
    assert error.message.strip(), "message must not be empty"
    assert error.hint.strip(), "every refusal needs a hint"
    for text in (error.message, error.hint):
        assert "\n" not in text
        assert "\r" not in text
        assert GS not in text, "control characters must be made visible, not echoed"
        assert "Traceback" not in text
        assert "None" not in text
    return error


# --- check digits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param("49015420323751", 8, id="imei-490154203237518"),
        pytest.param("35693803564380", 9, id="imei-356938035643809"),
        pytest.param("35391805741234", 4, id="imei-353918057412344"),
        pytest.param("01397700027274", 4, id="imei-013977000272744"),
        pytest.param("00000000000000", 0, id="all-zero"),
        pytest.param("7992739871", 3, id="classic-luhn-example"),
    ],
)
def test_luhn_check_digit(payload: str, expected: int) -> None:
    assert luhn_check_digit(payload) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param("0950110153000", 3, id="gtin14"),
        pytest.param("400638133393", 1, id="gtin13"),
        pytest.param("03600029145", 2, id="gtin12-upc-a"),
        pytest.param("9638507", 4, id="gtin8"),
        pytest.param("10614141123456789", 7, id="sscc"),
    ],
)
def test_gtin_check_digit(payload: str, expected: int) -> None:
    assert gtin_check_digit(payload) == expected


@pytest.mark.parametrize("bad", [pytest.param("", id="empty"), pytest.param("12a4", id="letter")])
def test_check_digit_functions_reject_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        luhn_check_digit(bad)
    with pytest.raises(ValueError, match="digits"):
        gtin_check_digit(bad)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("490154203237518", True, id="valid"),
        pytest.param("356938035643809", True, id="valid-2"),
        pytest.param("490154203237519", False, id="wrong-check-digit"),
        pytest.param("353918057412345", False, id="plausible-looking-but-wrong"),
        pytest.param("49015420323751", False, id="14-digits"),
        pytest.param("4901542032375180", False, id="16-digits"),
        pytest.param(" 490154203237518", False, id="not-stripped"),
        pytest.param("49015420323751A", False, id="letter"),
        pytest.param(FULL_WIDTH_IMEI, False, id="full-width-digits"),
    ],
)
def test_is_valid_imei(value: str, valid: bool) -> None:
    assert is_valid_imei(value) is valid


# --- IMEI and MEID --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "imei",
    [
        pytest.param("490154203237518", id="490154203237518"),
        pytest.param("356938035643809", id="356938035643809"),
        pytest.param("353918057412344", id="353918057412344"),
        pytest.param("013977000272744", id="leading-zero"),
        pytest.param("990000862471853", id="starts-with-99"),
    ],
)
def test_valid_imei(imei: str) -> None:
    scan = classify(imei)
    assert scan.kind is IdentifierKind.IMEI
    assert scan.value == imei
    assert scan.gs1 == ()
    assert scan.symbology is None


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        pytest.param(
            "490154203237519",
            "IMEI 490154203237519 fails its check digit: last digit should be 8, not 9",
            id="last-digit-typo",
        ),
        pytest.param(
            "353918057412345",
            "IMEI 353918057412345 fails its check digit: last digit should be 4, not 5",
            id="plausible-example",
        ),
        pytest.param(
            "356938035643800",
            "IMEI 356938035643800 fails its check digit: last digit should be 9, not 0",
            id="zero-instead-of-nine",
        ),
    ],
)
def test_imei_with_wrong_check_digit_names_expected_digit(raw: str, expected_message: str) -> None:
    error = refused(raw)
    assert error.message == expected_message
    assert error.hint == IMEI_HINT


def test_imeisv_is_refused_with_advice() -> None:
    error = refused("4901542032375101")
    assert "IMEISV" in error.message
    assert "4901542032375101" in error.message
    assert "15-digit IMEI" in error.hint


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        pytest.param("A10000009296F2", IdentifierKind.MEID, "A10000009296F2", id="hex-meid"),
        pytest.param("a10000009296f2", IdentifierKind.MEID, "A10000009296F2", id="hex-meid-lower-case"),
        pytest.param("FF00000000000A", IdentifierKind.MEID, "FF00000000000A", id="hex-meid-top-of-range"),
        pytest.param("a0000000000000", IdentifierKind.MEID, "A0000000000000", id="hex-meid-bottom-of-range"),
        pytest.param("9F000000ABCDEF", IdentifierKind.SERIAL, "9F000000ABCDEF", id="hex-below-A0-is-serial"),
        pytest.param("99000012345678", IdentifierKind.MEID, "99000012345678", id="dual-mode-99-range"),
        pytest.param("35000012345678", IdentifierKind.SERIAL, "35000012345678", id="14-digits-not-99"),
        pytest.param("270113177609606494", IdentifierKind.MEID, "270113177609606494", id="decimal-meid"),
        pytest.param("429496729516777215", IdentifierKind.MEID, "429496729516777215", id="decimal-max"),
        pytest.param("429496729616777215", IdentifierKind.SERIAL, "429496729616777215", id="decimal-mfr-big"),
        pytest.param("270113177616777216", IdentifierKind.SERIAL, "270113177616777216", id="decimal-sn-big"),
        pytest.param("49015420323751801", IdentifierKind.SERIAL, "49015420323751801", id="17-digits"),
    ],
)
def test_meid_and_long_digit_strings(raw: str, kind: IdentifierKind, value: str) -> None:
    scan = classify(raw)
    assert (scan.kind, scan.value) == (kind, value)


# --- serial numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        pytest.param("7XK2LM1", "7XK2LM1", id="dell-service-tag"),
        pytest.param("7xk2lm1", "7XK2LM1", id="dell-lower-case"),
        pytest.param("C02XK0AAJG5H", "C02XK0AAJG5H", id="apple-12"),
        pytest.param("c02xk0aajg5h", "C02XK0AAJG5H", id="apple-lower-case"),
        pytest.param("PF1ABCDE", "PF1ABCDE", id="lenovo-8"),
        pytest.param("SN-12/34.5_a", "SN-12/34.5_A", id="punctuation-allowed"),
        pytest.param("ABCDE", "ABCDE", id="minimum-length"),
        pytest.param("X" * 24, "X" * 24, id="maximum-length"),
        pytest.param("4006381333931", "4006381333931", id="bare-gtin-without-gs1-symbology"),
        pytest.param("1234567890", "1234567890", id="digits-only"),
    ],
)
def test_serial_numbers(raw: str, value: str) -> None:
    scan = classify(raw)
    assert scan.kind is IdentifierKind.SERIAL
    assert scan.value == value


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        pytest.param("7XK2LM1\r\n", IdentifierKind.SERIAL, "7XK2LM1", id="scanner-crlf"),
        pytest.param("  7xk2lm1\t", IdentifierKind.SERIAL, "7XK2LM1", id="spaces-and-tab"),
        pytest.param("\n490154203237518\r", IdentifierKind.IMEI, "490154203237518", id="imei-newlines"),
        pytest.param(" op-0042 \r\n", IdentifierKind.OPERATOR_BADGE, "OP-0042", id="badge-padded"),
    ],
)
def test_edges_are_trimmed_but_raw_is_kept(raw: str, kind: IdentifierKind, value: str) -> None:
    scan = classify(raw)
    assert (scan.kind, scan.value) == (kind, value)
    assert scan.raw == raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param("", "Empty scan", id="empty"),
        pytest.param(" \r\n\t", "Empty scan", id="whitespace-only"),
        pytest.param("ABC", "too short", id="too-short"),
        pytest.param("ABCD", "too short", id="one-below-minimum"),
        pytest.param("X" * 25, "too long", id="too-long"),
        pytest.param("ABC\x1b123", "control character", id="escape-char"),
        pytest.param("ABC\x00123", "control character", id="nul-char"),
        pytest.param("ABC\u200b123", "invisible", id="zero-width-space"),
        pytest.param("ABC 123", "space", id="internal-space"),
        pytest.param("ABC#123", "'#'", id="hash-sign"),
        pytest.param("ÄBC123", "'Ä'", id="non-ascii-letter"),
        pytest.param(FULL_WIDTH_IMEI, "not allowed", id="full-width-digits"),
        pytest.param("]C1", "no data", id="symbology-only"),
        pytest.param("]C1\r\n", "no data", id="symbology-and-newline"),
    ],
)
def test_unusable_input_is_refused(raw: str, fragment: str) -> None:
    error = refused(raw)
    assert fragment in error.message


def test_unrecognised_input_gets_the_general_hint() -> None:
    error = refused("ABC")
    assert "does not look like an IMEI, serial, asset tag, lot or badge" in error.hint


def test_control_characters_are_shown_visibly() -> None:
    error = refused("ABC\x1b123")
    assert "<1B>" in error.message


def test_huge_input_is_not_echoed_in_full() -> None:
    error = refused("Y" * 5000)
    assert len(error.message) < 200


def test_serial_limits_come_from_rules() -> None:
    rules = ScanRules(serial_min=3, serial_max=6)
    assert classify("abc", rules).value == "ABC"
    error = refused("ABCDEFG", rules)
    assert "too long" in error.message
    assert "3 to 6" in error.message


# --- facility codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        pytest.param("OP-0042", IdentifierKind.OPERATOR_BADGE, "OP-0042", id="badge"),
        pytest.param("op-0042", IdentifierKind.OPERATOR_BADGE, "OP-0042", id="badge-lower-case"),
        pytest.param("Op-ab_1", IdentifierKind.OPERATOR_BADGE, "OP-AB_1", id="badge-mixed-case"),
        pytest.param("OP-" + "9" * 32, IdentifierKind.OPERATOR_BADGE, "OP-" + "9" * 32, id="badge-32"),
        pytest.param("LOT-2024-07", IdentifierKind.LOT, "LOT-2024-07", id="lot"),
        pytest.param("lot-abc", IdentifierKind.LOT, "LOT-ABC", id="lot-lower-case"),
        pytest.param("PO-88123", IdentifierKind.PO, "PO-88123", id="po"),
        pytest.param("po-x_1", IdentifierKind.PO, "PO-X_1", id="po-lower-case"),
        pytest.param("AT-000123", IdentifierKind.ASSET_TAG, "AT-000123", id="asset-tag"),
        pytest.param("at-b7", IdentifierKind.ASSET_TAG, "AT-B7", id="asset-tag-lower-case"),
    ],
)
def test_prefixed_codes(raw: str, kind: IdentifierKind, value: str) -> None:
    scan = classify(raw)
    assert (scan.kind, scan.value) == (kind, value)
    assert scan.gs1 == ()


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param("OP-", "Operator badge", id="badge-empty-body"),
        pytest.param("OP-00 42", "Operator badge", id="badge-space"),
        pytest.param("OP-00.42", "Operator badge", id="badge-dot"),
        pytest.param("OP-" + "9" * 33, "Operator badge", id="badge-33-chars"),
        pytest.param("LOT-A/B", "Lot code", id="lot-slash"),
        pytest.param("PO-12#3", "Purchase order", id="po-hash"),
        pytest.param("AT-ÄÖ", "Asset tag", id="asset-non-ascii"),
    ],
)
def test_bad_prefixed_codes_are_refused(raw: str, fragment: str) -> None:
    error = refused(raw)
    assert fragment in error.message
    assert "letters, digits" in error.hint


def test_custom_prefixes_and_longest_prefix_wins() -> None:
    rules = ScanRules(badge_prefix="EMP:", lot_prefix="L", po_prefix="LOTPO-", asset_prefix="")
    assert classify("emp:7", rules) == Scan("emp:7", IdentifierKind.OPERATOR_BADGE, "EMP:7")
    assert classify("lotpo-12", rules).kind is IdentifierKind.PO
    assert classify("L123", rules).value == "L123"
    assert classify("L123", rules).kind is IdentifierKind.LOT
    # An empty prefix is switched off rather than matching everything.
    assert classify("AT-12345", rules).kind is IdentifierKind.SERIAL
    assert classify("OP-0042", rules).kind is IdentifierKind.SERIAL


# --- GS1 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "symbology"),
    [
        pytest.param(GS1_EXAMPLE, "]C1", id="gs1-128-with-separators"),
        pytest.param(GS1_EXAMPLE_BRACKETED, None, id="bracketed"),
        pytest.param(GS1_EXAMPLE[3:], None, id="no-symbology-contains-gs"),
        pytest.param(GS + GS1_EXAMPLE[3:], None, id="leading-fnc1-no-symbology"),
        pytest.param(GS1_EXAMPLE + GS, "]C1", id="trailing-gs"),
        pytest.param(GS1_EXAMPLE + "\r\n", "]C1", id="trailing-crlf"),
        pytest.param("]d2" + GS + GS1_EXAMPLE[3:], "]d2", id="datamatrix-leading-fnc1"),
        pytest.param("]Q3" + GS1_EXAMPLE[3:], "]Q3", id="gs1-qr"),
        pytest.param("]C1" + GS1_EXAMPLE_BRACKETED, "]C1", id="symbology-then-bracketed"),
        pytest.param(
            "]C1" + "0109501101530003" + GS + "21SN12345" + GS + "10LOT7" + GS + "17261231",
            "]C1",
            id="stray-gs-after-fixed-field",
        ),
    ],
)
def test_gs1_element_strings(raw: str, symbology: str | None) -> None:
    scan = classify(raw)
    assert scan.kind is IdentifierKind.GS1
    assert scan.gs1 == GS1_EXAMPLE_ELEMENTS
    assert scan.value == GS1_EXAMPLE_BRACKETED
    assert scan.symbology == symbology
    assert scan.raw == raw
    assert scan.gs1_value("21") == "SN12345"
    assert scan.gs1_value("01") == "09501101530003"
    assert scan.gs1_value("17") == "261231"
    assert scan.gs1_value("00") is None


def test_leading_gs_alone_marks_gs1() -> None:
    # Python's str.strip() treats GS as whitespace; trimming it would turn this into a serial number.
    scan = classify(GS + "21ABC123\r\n")
    assert scan.kind is IdentifierKind.GS1
    assert scan.gs1 == (GS1Element("21", "ABC123", "Serial"),)


def test_fixed_fields_need_no_separator() -> None:
    scan = classify("]C1" + "0109501101530003" + "17261231" + "11250115" + "21X")
    assert scan.value == "(01)09501101530003(17)261231(11)250115(21)X"
    assert [element.title for element in scan.gs1] == ["GTIN", "Expiry date", "Production date", "Serial"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        pytest.param("]C1" + "00106141411234567897", "(00)106141411234567897", id="sscc"),
        pytest.param("]C1" + "0209501101530003", "(02)09501101530003", id="contained-gtin"),
        pytest.param("(240)ABC-1(241)CP 7".replace(" ", ""), "(240)ABC-1(241)CP7", id="240-241"),
        pytest.param(
            "]C1" + "400PO%12/3" + GS + "8004" + "0614141ASSET9",
            "(400)PO%12/3(8004)0614141ASSET9",
            id="400-and-giai",
        ),
        pytest.param(
            "]C1" + "0109501101530003" + "15240200", "(01)09501101530003(15)240200", id="best-before-day-00"
        ),
        pytest.param("]C1" + "17240229", "(17)240229", id="leap-day"),
        pytest.param("]C1" + "10" + "L" * 20, "(10)" + "L" * 20, id="batch-at-max-length"),
        pytest.param("]C1" + "21" + "s" * 20, "(21)" + "s" * 20, id="serial-case-kept"),
    ],
)
def test_other_supported_ais(raw: str, value: str) -> None:
    scan = classify(raw)
    assert scan.kind is IdentifierKind.GS1
    assert scan.value == value


def test_unsupported_ai_after_a_fixed_field_is_refused() -> None:
    # AI 37 (count of trade items) is not supported: it must be refused, not swallowed into the GTIN.
    error = refused("]C1" + "0209501101530003" + "37" + "12")
    assert "AI 37" in error.message


@pytest.mark.parametrize(
    ("raw", "gtin"),
    [
        pytest.param("]C1" + "09501101530003", "09501101530003", id="gtin14"),
        pytest.param("]C1" + "4006381333931", "04006381333931", id="gtin13"),
        pytest.param("]e0" + "036000291452", "00036000291452", id="gtin12"),
        pytest.param("]d2" + "96385074", "00000096385074", id="gtin8"),
        pytest.param("]C1" + "10012345678902", "10012345678902", id="gtin14-that-also-looks-like-a-batch"),
    ],
)
def test_bare_gtin_accepted_only_with_gs1_symbology(raw: str, gtin: str) -> None:
    scan = classify(raw)
    assert scan.kind is IdentifierKind.GS1
    assert scan.gs1 == (GS1Element("01", gtin, "GTIN"),)
    assert scan.value == f"(01){gtin}"
    # Without the symbology the same digits are not a GTIN.
    assert classify(raw[3:]).kind is not IdentifierKind.GS1


@pytest.mark.parametrize(
    ("raw", "expected_message"),
    [
        pytest.param(
            "]C1" + "0109501101530004" + "21SN1",
            "GTIN 09501101530004 fails its check digit: last digit should be 3, not 4",
            id="gtin-ai-01",
        ),
        pytest.param(
            "(01)09501101530009(21)SN1",
            "GTIN 09501101530009 fails its check digit: last digit should be 3, not 9",
            id="gtin-bracketed",
        ),
        pytest.param(
            "]C1" + "5901234123458",
            "GTIN 5901234123458 fails its check digit: last digit should be 7, not 8",
            id="bare-gtin13",
        ),
        pytest.param(
            "]C1" + "00106141411234567890",
            "SSCC 106141411234567890 fails its check digit: last digit should be 7, not 0",
            id="sscc",
        ),
    ],
)
def test_wrong_gs1_check_digit_names_expected_digit(raw: str, expected_message: str) -> None:
    error = refused(raw)
    assert error.message == expected_message
    assert "Rescan" in error.hint


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        pytest.param(GS + "9912345", ("AI 99", "Unknown"), id="unknown-ai-separated"),
        pytest.param("(99)12345", ("AI 99", "Unknown"), id="unknown-ai-bracketed"),
        pytest.param("]C1" + "0109501101530003" + "8005123", ("AI 8005",), id="unknown-4-digit-ai"),
        pytest.param("]C1" + "0109501101530003" + "2421", ("AI 242",), id="unknown-3-digit-ai"),
        pytest.param(
            "]C1" + "21" + "S" * 21, ("Serial (AI 21)", "21 characters", "20"), id="serial-too-long"
        ),
        pytest.param(
            "]C1" + "10" + "L" * 21 + GS + "17261231", ("AI 10", "21 characters"), id="batch-too-long"
        ),
        pytest.param("(400)" + "P" * 31, ("AI 400", "31 characters", "30"), id="po-too-long"),
        pytest.param("]C1" + "17261331", ("month 13",), id="month-13"),
        pytest.param("(17)260001", ("month 00",), id="month-00"),
        pytest.param("]C1" + "0109501101530003" + "17260132", ("day 32",), id="day-32"),
        pytest.param("]C1" + "0109501101530003" + "17250229", ("day 29",), id="feb-29-non-leap-year"),
        pytest.param("]C1" + "0109501101530003" + "11260400", ("day 00",), id="day-00-production-date"),
        pytest.param("]C1" + "0109501101530003" + "1726AB31", ("digits only",), id="letters-in-date"),
        pytest.param("]C1" + "01095011015", ("14 digits", "9"), id="gtin-cut-short"),
        pytest.param("]C1" + "0109501101" + GS + "21X", ("14 digits", "10"), id="gtin-cut-by-gs"),
        pytest.param("(01)0950110153000(21)X", ("14 digits", "13"), id="bracketed-gtin-13-digits"),
        pytest.param("]C1" + "21" + GS + "10X", ("Serial (AI 21) is empty",), id="empty-variable-field"),
        pytest.param("]C1" + "21AB#C", ("not allow", "#"), id="character-outside-set-82"),
        pytest.param("]C1" + "21A" + GS + "21B", ("appears twice",), id="duplicate-ai"),
        pytest.param("(01)09501101530003(2X)A", ("malformed",), id="bracketed-malformed"),
        pytest.param("ABC" + GS + "123", ("application identifier",), id="gs-in-non-gs1-text"),
        pytest.param(GS, ("no data",), id="lone-gs"),
    ],
)
def test_bad_gs1_is_refused(raw: str, fragments: tuple[str, ...]) -> None:
    error = refused(raw)
    for fragment in fragments:
        assert fragment in error.message


def test_parse_gs1_directly() -> None:
    assert parse_gs1(GS1_EXAMPLE[3:]) == GS1_EXAMPLE_ELEMENTS
    assert parse_gs1(GS1_EXAMPLE_BRACKETED) == GS1_EXAMPLE_ELEMENTS
    with pytest.raises(InvalidScan, match="AI 99"):
        parse_gs1("9912")


def test_human_readable_round_trip() -> None:
    assert gs1_human_readable(GS1_EXAMPLE_ELEMENTS) == GS1_EXAMPLE_BRACKETED
    assert gs1_human_readable([]) == ""
    assert classify(gs1_human_readable(GS1_EXAMPLE_ELEMENTS)).gs1 == GS1_EXAMPLE_ELEMENTS


# --- symbology and data types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "value", "symbology"),
    [
        pytest.param("]C0" + "7xk2lm1", IdentifierKind.SERIAL, "7XK2LM1", "]C0", id="code128-serial"),
        pytest.param(
            "]C0" + "490154203237518", IdentifierKind.IMEI, "490154203237518", "]C0", id="code128-imei"
        ),
        pytest.param("]A0" + "OP-0042", IdentifierKind.OPERATOR_BADGE, "OP-0042", "]A0", id="code39-badge"),
        pytest.param(
            "]E0" + "4006381333931", IdentifierKind.SERIAL, "4006381333931", "]E0", id="ean13-not-gs1"
        ),
    ],
)
def test_non_gs1_symbology_is_recorded_and_stripped(
    raw: str, kind: IdentifierKind, value: str, symbology: str
) -> None:
    scan = classify(raw)
    assert (scan.kind, scan.value, scan.symbology) == (kind, value, symbology)


def test_scan_is_immutable_and_kind_is_a_plain_string() -> None:
    scan = classify("490154203237518")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.value = "x"  # type: ignore[misc]
    assert isinstance(IdentifierKind.OPERATOR_BADGE, str)
    assert IdentifierKind.OPERATOR_BADGE.value == "operator_badge"
    assert str(IdentifierKind.ASSET_TAG) == "asset_tag"
    assert Scan("r", IdentifierKind.SERIAL, "V").gs1_value("21") is None


# --- property: every Luhn-completed 15-digit string is an IMEI; any other last digit is refused ----


def test_generated_imeis_round_trip() -> None:
    rng = random.Random(1)
    for _ in range(300):
        prefix = "".join(rng.choice("0123456789") for _ in range(14))
        check = luhn_check_digit(prefix)
        imei = f"{prefix}{check}"
        scan = classify(imei)
        assert (scan.kind, scan.value) == (IdentifierKind.IMEI, imei)
        assert is_valid_imei(imei)
        wrong = (check + rng.randint(1, 9)) % 10
        error = refused(f"{prefix}{wrong}")
        assert error.message.endswith(f"last digit should be {check}, not {wrong}")
