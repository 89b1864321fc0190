"""Standardisation of the fields linkage compares (pure functions)."""

from datetime import date

import pytest

from wholeplace.residents import standardise as std


@pytest.mark.parametrize(("raw", "expected"), [
    ("O'Brien", "obrien"), ("  SMITH  ", "smith"), ("Zoë", "zoe"), ("Smith-Jones", "smith jones"),
    ("José  María", "jose maria"), ("", None), (None, None), ("---", None), ("Ann.", "ann"),
])
def test_name(raw, expected):
    assert std.name(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("Bill", "william"), ("PEGGY", "margaret"), ("Liz", "elizabeth"), ("Mary Anne", "mary"),
    ("William", "william"), (None, None),
])
def test_canonical_forename(raw, expected):
    assert std.canonical_forename(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("qz10aa", "QZ1 0AA"), ("QZ1 0AA", "QZ1 0AA"), (" sw1a 1aa ", "SW1A 1AA"), ("M1 1AE", "M1 1AE"),
    ("CR2 6XH", "CR2 6XH"), ("DN55 1PT", "DN55 1PT"), ("not a postcode", None), ("", None),
    ("QZ1", None), (None, None),
])
def test_postcode(raw, expected):
    assert std.postcode(raw) == expected


def test_outward():
    assert std.outward("QZ12 3AB") == "QZ12"
    assert std.outward(None) is None


def test_dates():
    assert std.parse_date("01/02/1990", "%d/%m/%Y") == date(1990, 2, 1)
    assert std.parse_date("  ", "%Y-%m-%d") is None
    with pytest.raises(ValueError):
        std.parse_date("1990-13-01", "%Y-%m-%d")


@pytest.mark.parametrize(("raw", "expected"), [
    ("F", "F"), ("female", "F"), ("MALE", "M"), ("m", "M"), ("X", None), ("", None)])
def test_sex(raw, expected):
    assert std.sex(raw) == expected


def test_nhs_number_checks_the_check_digit():
    assert std.nhs_number("943 476 5919") == "9434765919"  # the NHS's published example
    assert std.nhs_number("9434765918") is None
    assert std.nhs_number("12345") is None


def test_uprn():
    assert std.uprn("000100023336956") is None  # more than 12 digits
    assert std.uprn("0010023336956") is None
    assert std.uprn("100023336956") == "100023336956"
    assert std.uprn("100023336956.0") == "100023336956"
    assert std.uprn("abc") is None
    assert std.uprn("0") is None


def test_address():
    assert std.address(["12, Acacia Road", None, "Synthtown"]) == "12 ACACIA ROAD SYNTHTOWN"
    assert std.address([None, ""]) is None
