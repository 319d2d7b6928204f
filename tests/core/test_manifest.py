"""Tests for app.core.manifest: reading a lot's CSV manifest, and refusing the whole file on any problem."""

from __future__ import annotations

import re

import pytest

from app.core.errors import OperatorError
from app.core.manifest import ManifestError, decode, parse_manifest
from app.core.models import ManifestLine

# Valid IMEIs (Luhn check digit verified); BAD_IMEI is IMEI_B with its last digit changed.
IMEI_A = "490154203237518"
IMEI_B = "356938035643809"
IMEI_C = "353918057412344"
BAD_IMEI = "356938035643800"

NOTHING_IMPORTED = "Correct the file and import it again; nothing was imported"


def refused(text: str) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text)
    error = caught.value
    assert isinstance(error, OperatorError)
    assert error.hint.strip()
    return error


def problems_of(error: ManifestError) -> list[str]:
    """The individual 'line N: ...' problems listed in a refusal message."""
    listed = error.message.split(": ", 1)[1]
    listed = re.sub(r" \(and \d+ more\)$", "", listed)
    return listed.split("; ")


# --- delimiters and header spellings --------------------------------------------------------------


@pytest.mark.parametrize(
    "delimiter", [pytest.param(",", id="comma"), pytest.param(";", id="semicolon"), pytest.param("\t", id="tab")]
)
def test_delimiters(delimiter: str) -> None:
    rows = [["IMEI", "Model", "Description"], [IMEI_A, "Pixel 7", "grade A"], [IMEI_B, "Galaxy S9", "cracked back"]]
    text = "".join(delimiter.join(row) + "\n" for row in rows)
    assert parse_manifest(text) == [
        ManifestLine("imei", IMEI_A, "Pixel 7", "grade A"),
        ManifestLine("imei", IMEI_B, "Galaxy S9", "cracked back"),
    ]


@pytest.mark.parametrize(
    ("delimiter", "model"),
    [
        pytest.param(",", "Galaxy S9; 64GB", id="comma-file-semicolon-in-model"),
        pytest.param(";", "Galaxy S9, 64GB", id="semicolon-file-comma-in-model"),
        pytest.param("\t", "Galaxy S9, 64GB; blue", id="tab-file-both-in-model"),
    ],
)
def test_other_delimiters_inside_a_cell_stay_in_the_cell(delimiter: str, model: str) -> None:
    text = f"Serial{delimiter}Model\nABC12345{delimiter}{model}\nDEF67890{delimiter}{model}\n"
    assert [line.model for line in parse_manifest(text)] == [model, model]


def test_quoted_cell_holding_the_delimiter() -> None:
    text = f'IMEI,Model\n{IMEI_A},"Galaxy S9, 64GB"\n{IMEI_B},"Pixel 7, 128GB"\n'
    assert [line.model for line in parse_manifest(text)] == ["Galaxy S9, 64GB", "Pixel 7, 128GB"]


@pytest.mark.parametrize(
    ("header", "cell", "kind", "value"),
    [
        pytest.param("IMEI", IMEI_A, "imei", IMEI_A, id="IMEI"),
        pytest.param("imei", IMEI_A, "imei", IMEI_A, id="imei-lower"),
        pytest.param("IMEI1", IMEI_A, "imei", IMEI_A, id="IMEI1"),
        pytest.param("IMEI 1", IMEI_A, "imei", IMEI_A, id="IMEI-space-1"),
        pytest.param("Serial", "abc12345", "serial", "ABC12345", id="Serial"),
        pytest.param("Serial Number", "abc12345", "serial", "ABC12345", id="Serial-Number"),
        pytest.param("SERIAL  NUMBER", "abc12345", "serial", "ABC12345", id="SERIAL-NUMBER-double-space"),
        pytest.param("serial_number", "abc12345", "serial", "ABC12345", id="serial_number"),
        pytest.param("S/N", "abc12345", "serial", "ABC12345", id="S/N"),
        pytest.param("SN", "abc12345", "serial", "ABC12345", id="SN"),
        pytest.param("Service Tag", "7xk2lm1", "serial", "7XK2LM1", id="Service-Tag"),
        pytest.param("Asset Tag", "at-0042", "asset_tag", "AT-0042", id="Asset-Tag"),
        pytest.param("asset_tag", "IT-ASSET-9", "asset_tag", "IT-ASSET-9", id="asset_tag"),
        pytest.param("Asset", "12345", "asset_tag", "12345", id="Asset"),
        pytest.param("MEID", "A10000009296F2", "meid", "A10000009296F2", id="MEID"),
        pytest.param("  Serial Number  ", "abc12345", "serial", "ABC12345", id="padded-header"),
    ],
)
def test_identifier_header_spellings(header: str, cell: str, kind: str, value: str) -> None:
    text = f"{header},Model\n{cell},ThinkPad T14\n"
    assert parse_manifest(text) == [ManifestLine(kind, value, "ThinkPad T14", "")]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        pytest.param("Model", "model", id="Model"),
        pytest.param("MODEL NAME", "model", id="MODEL-NAME"),
        pytest.param("model_name", "model", id="model_name"),
        pytest.param("Product", "model", id="Product"),
        pytest.param("Description", "description", id="Description"),
        pytest.param("Notes", "description", id="Notes"),
        pytest.param("Condition", "description", id="Condition"),
        pytest.param("Colour", None, id="unknown-column-ignored"),
    ],
)
def test_model_and_description_header_spellings(header: str, column: str | None) -> None:
    (line,) = parse_manifest(f"IMEI,{header}\n{IMEI_A},Blue thing\n")
    assert line.model == ("Blue thing" if column == "model" else "")
    assert line.description == ("Blue thing" if column == "description" else "")


def test_cells_are_trimmed_and_short_rows_are_tolerated() -> None:
    text = f"IMEI,Model,Description\n  {IMEI_A}  ,  Pixel 7  \n"
    assert parse_manifest(text) == [ManifestLine("imei", IMEI_A, "Pixel 7", "")]


def test_first_filled_identifier_column_wins() -> None:
    text = f"IMEI,Serial,Model\n{IMEI_A},SN0000001,Pixel\n,SN0000002,iPad\n"
    assert parse_manifest(text) == [
        ManifestLine("imei", IMEI_A, "Pixel", ""),
        ManifestLine("serial", "SN0000002", "iPad", ""),
    ]


def test_imei_listed_in_the_serial_column_keeps_its_value() -> None:
    assert parse_manifest(f"Serial\n{IMEI_A}\n") == [ManifestLine("serial", IMEI_A)]


def test_crlf_line_endings() -> None:
    text = f"IMEI;Model\r\n{IMEI_A};Pixel 7\r\n{IMEI_B};Galaxy\r\n"
    assert [line.value for line in parse_manifest(text)] == [IMEI_A, IMEI_B]


# --- bytes to text ----------------------------------------------------------------------------------


def test_utf8_bom_is_removed_so_the_first_header_is_recognised() -> None:
    data = "\ufeffIMEI,Model\r\n".encode() + f"{IMEI_A},Café phone\r\n".encode()
    text = decode(data)
    assert not text.startswith("\ufeff")
    assert parse_manifest(text) == [ManifestLine("imei", IMEI_A, "Café phone", "")]


def test_utf8_without_bom() -> None:
    assert decode("Serial,Model\nABC12345,Café – grade A\n".encode()) == "Serial,Model\nABC12345,Café – grade A\n"


def test_cp1252_bytes_are_decoded_as_windows_text() -> None:
    data = "Serial,Model\nABC12345,Café – grade A “mint”\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # guards the premise: these bytes are not UTF-8
    text = decode(data)
    assert text == "Serial,Model\nABC12345,Café – grade A “mint”\n"
    assert parse_manifest(text)[0].model == "Café – grade A “mint”"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"IMEI\x00,Model\n", id="nul-in-header"),
        pytest.param("IMEI,Model\n".encode("utf-16-le"), id="utf-16"),
        pytest.param(b"\x00", id="single-nul"),
    ],
)
def test_nul_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(ManifestError) as caught:
        decode(data)
    assert caught.value.message == "This file is not a CSV text file"
    assert "CSV" in caught.value.hint


# --- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", [pytest.param("", id="empty"), pytest.param("  \r\n\n\t\n", id="only-whitespace")]
)
def test_empty_file(text: str) -> None:
    error = refused(text)
    assert error.message == "The manifest is empty"


def test_empty_bytes_through_decode() -> None:
    assert refused(decode(b"")).message == "The manifest is empty"


@pytest.mark.parametrize(
    "text",
    [pytest.param("IMEI,Model\n", id="header-only"), pytest.param("IMEI,Model\n,\n\n , \n", id="only-blank-rows")],
)
def test_header_without_units(text: str) -> None:
    assert refused(text).message == "The manifest lists no units"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Model,Colour\nPixel 7,blue\n", id="model-and-colour"),
        pytest.param(f"{IMEI_A},Pixel 7\n{IMEI_B},Galaxy\n", id="no-header-row"),
        pytest.param("Phone ID,Model\n123,Pixel\n", id="unknown-id-name"),
    ],
)
def test_no_identifier_column(text: str) -> None:
    error = refused(text)
    assert error.message.startswith("No identifier column in the manifest header (")
    assert error.message.split("(", 1)[1].startswith(text.split("\n")[0].split(",")[0])
    assert "IMEI" in error.hint
    assert "Serial" in error.hint


def test_bad_imei_is_reported_with_its_line_and_the_whole_file_is_refused() -> None:
    text = f"IMEI,Model\n{IMEI_A},Pixel\n{BAD_IMEI},Galaxy\n{IMEI_C},iPhone\n"
    error = refused(text)
    assert error.message == (
        "The manifest has 1 problem(s): line 3: "
        f"IMEI {BAD_IMEI} fails its check digit: last digit should be 9, not 0"
    )
    assert error.hint == NOTHING_IMPORTED


def test_text_in_the_imei_column_is_refused() -> None:
    error = refused(f"IMEI\n{IMEI_A}\nABC12345\n")
    assert problems_of(error) == ["line 3: 'ABC12345' in the IMEI column is not a 15-digit IMEI"]


def test_bad_asset_tag_is_refused() -> None:
    error = refused("Asset Tag\nAT-1\nAT 2\n")
    assert problems_of(error) == ["line 3: asset tag 'AT 2' has characters an asset tag cannot have"]


def test_duplicate_names_both_lines() -> None:
    text = f"IMEI,Model\n{IMEI_A},Pixel\n{IMEI_B},Galaxy\n{IMEI_A},Pixel again\n"
    error = refused(text)
    assert problems_of(error) == [f"line 4: {IMEI_A} is listed twice (first on line 2)"]
    assert error.hint == NOTHING_IMPORTED


def test_duplicate_after_normalising_case_is_caught() -> None:
    error = refused("Serial\nabc12345\nABC12345\n")
    assert problems_of(error) == ["line 3: ABC12345 is listed twice (first on line 2)"]


def test_blank_rows_are_skipped_and_do_not_shift_line_numbers() -> None:
    text = f"IMEI,Model\n{IMEI_A},Pixel\n\n,\n  ,  \n{IMEI_B},Galaxy\n"
    assert [line.value for line in parse_manifest(text)] == [IMEI_A, IMEI_B]
    error = refused(f"IMEI,Model\n{IMEI_A},Pixel\n\n,\n{BAD_IMEI},Galaxy\n")
    assert problems_of(error)[0].startswith("line 5: ")


def test_row_with_no_identifier() -> None:
    error = refused(f"IMEI,Serial,Model\n{IMEI_A},,Pixel\n,,Galaxy without id\n")
    assert problems_of(error) == ["line 3: no identifier"]


def test_every_problem_is_listed_together() -> None:
    text = f"IMEI,Model\n{BAD_IMEI},a\n,b\n{IMEI_A},c\n{IMEI_A},d\n"
    error = refused(text)
    assert error.message.startswith("The manifest has 3 problem(s): ")
    assert [p.split(":")[0] for p in problems_of(error)] == ["line 2", "line 3", "line 5"]


@pytest.mark.parametrize(
    ("bad_rows", "more"),
    [
        pytest.param(10, None, id="ten-no-summary"),
        pytest.param(11, 1, id="eleven"),
        pytest.param(25, 15, id="twenty-five"),
    ],
)
def test_more_than_ten_problems_are_summarised(bad_rows: int, more: int | None) -> None:
    text = "Serial,Model\n" + "".join(f"x{i},m\n" for i in range(bad_rows))
    error = refused(text)
    assert error.message.startswith(f"The manifest has {bad_rows} problem(s): line 2: ")
    listed = problems_of(error)
    assert len(listed) == 10
    assert listed[-1].startswith("line 11: ")
    if more is None:
        assert "(and" not in error.message
    else:
        assert error.message.endswith(f" (and {more} more)")
