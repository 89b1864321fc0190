"""Standardise the fields linkage compares: names, nicknames, postcodes, dates, sex, identifiers.

Pure functions; the name functions are cached because a council's extracts repeat the same few
thousand names across hundreds of thousands of records.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache

from wholeplace.residents.synthetic import names

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
#: The shape of a UK postcode: outward code (area, district) and inward code (sector, unit).
#: Structural only: the letters each position may hold are not checked, so the synthetic
#: area ``QZ`` (never a real one) passes.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_SEX = {"f": "F", "female": "F", "w": "F", "woman": "F", "m": "M", "male": "M", "man": "M"}


@cache
def name(text: str | None) -> str | None:
    """Lower case, accents folded to ASCII, apostrophes dropped, other punctuation as a space.

    ``"O'Brien"`` -> ``"obrien"``, ``"Zoë"`` -> ``"zoe"``, ``"Smith-Jones"`` -> ``"smith jones"``.
    An empty result is None (missing), never ``""``.
    """
    if text is None:
        return None
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = folded.lower().replace("'", "").replace("`", "")
    cleaned = _SPACES.sub(" ", _NOT_LETTER.sub(" ", folded)).strip()
    return cleaned or None


@cache
def _nicknames() -> dict[str, str]:
    table: dict[str, str] = names()["nicknames"]
    out: dict[str, str] = {}
    for informal, canonical in table.items():
        key, value = name(informal), name(canonical)
        if key and value:
            out[key] = value
    return out


@cache
def canonical_forename(text: str | None) -> str | None:
    """The formal forename a nickname stands for (``"bill"`` -> ``"william"``); the first word
    of the standardised name otherwise. Kept alongside the name as recorded, never instead."""
    cleaned = name(text)
    if cleaned is None:
        return None
    first = cleaned.split(" ")[0]
    return _nicknames().get(first, first)


def postcode(text: str | None) -> str | None:
    """A UK postcode in its standard form (``"qz10aa"`` -> ``"QZ1 0AA"``); None when the text
    does not have a postcode's shape."""
    if not text:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def outward(code: str | None) -> str | None:
    """The outward code (postcode district) of a standard postcode: ``"QZ1 0AA"`` -> ``"QZ1"``."""
    return code.split(" ")[0] if code else None


def parse_date(text: str | None, fmt: str) -> date | None:
    """A date in the declared format; None for an empty field. Raises ValueError otherwise."""
    if text is None or not text.strip():
        return None
    return datetime.strptime(text.strip(), fmt).date()


def sex(text: str | None) -> str | None:
    """``F`` or ``M`` from the common codings (F, Female, m, MALE...); None otherwise."""
    return _SEX.get(text.strip().lower()) if text else None


def nhs_number(text: str | None) -> str | None:
    """Ten digits with a valid modulus-11 check digit (spaces and dashes ignored); else None."""
    if not text:
        return None
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return None
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return digits if check != 10 and check == int(digits[9]) else None


def uprn(text: str | None) -> str | None:
    """A UPRN as digits without leading zeros (at most 12 digits); None otherwise."""
    if not text:
        return None
    digits = text.strip()
    if digits.endswith(".0"):  # spreadsheets turn identifiers into floats
        digits = digits[:-2]
    if not re.fullmatch(r"[0-9]{1,12}", digits) or int(digits) == 0:
        return None
    return str(int(digits))


def address(lines: list[str | None]) -> str | None:
    """Address lines joined, upper case, punctuation as spaces."""
    parts = [re.sub(r"[^A-Z0-9 ]+", " ", line.upper()) for line in lines if line]
    joined = _SPACES.sub(" ", " ".join(parts)).strip()
    return joined or None
