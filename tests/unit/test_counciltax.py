"""Council tax arithmetic: band ratios, bills to the penny, yields, referendum principles."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholeplace.counciltax import (
    BAND_RATIOS,
    AuthorityClass,
    band_bill,
    band_changes,
    is_excessive,
    new_band_d,
    one_percent_yield,
    pence,
    pounds,
    referendum_limit,
    referendum_years,
    round_half_away,
    tax_yield,
)
from wholeplace.errors import InputError, NotFoundError


def test_band_ratios_are_the_statutory_ninths():
    assert {b: Fraction(n, 9) for b, n in BAND_RATIOS.items()} == {
        "A": Fraction(6, 9), "B": Fraction(7, 9), "C": Fraction(8, 9), "D": Fraction(1),
        "E": Fraction(11, 9), "F": Fraction(13, 9), "G": Fraction(15, 9), "H": Fraction(2)}


def test_round_half_away_from_zero():
    assert [round_half_away(n, 10) for n in (4, 5, 6, 15, -4, -5, -15)] == [0, 1, 1, 2, 0, -1, -2]
    assert round_half_away(26, 52) == 1 and round_half_away(-26, 52) == -1
    with pytest.raises(InputError):
        round_half_away(1, 0)


def test_band_bills_to_the_penny_by_hand():
    # Band D £1,234.57: A = 1234.57 x 6/9 = 823.0466.. -> £823.05, and so on.
    bills = {band: band_bill(123457, band) for band in BAND_RATIOS}
    assert bills == {"A": 82305, "B": 96022, "C": 109740, "D": 123457, "E": 150892,
                     "F": 178327, "G": 205762, "H": 246914}


def test_a_499_rise_for_each_band_per_year_and_week():
    after = new_band_d(123457, 499)  # 1234.57 x 4.99% = 61.605.. -> +£61.61
    assert after == 129618
    changes = {c.band: (c.per_year_pence, c.per_week_pence) for c in band_changes(123457, after)}
    # A: 864.12 - 823.05 = 41.07 a year, /52 = 0.7898 -> 79p a week.
    assert changes["A"] == (4107, 79)
    assert changes["D"] == (6161, 118)   # 61.61 / 52 = 1.1848
    assert changes["H"] == (12322, 237)  # 2592.36 - 2469.14; 123.22 / 52 = 2.3696


def test_what_one_percent_raises_and_yield():
    # Tax base 61,234.56 Band D equivalents x £1,800.00 / 100 = £1,102,222.08
    assert one_percent_yield(6123456, 180000) == 110222208
    assert tax_yield(6123456, 1800) == 110222208
    assert tax_yield(6123456, -1800) == -110222208


def test_pence_and_pounds():
    assert pence("1234.5") == 123450 and pence(7) == 700
    assert str(pounds(-123450)) == "-1234.50"
    with pytest.raises(InputError, match="fraction of a penny"):
        pence("0.001")
    with pytest.raises(InputError):
        pence("many")


@given(st.integers(1, 10_000_000), st.sampled_from(list(BAND_RATIOS)))
def test_band_bill_is_nearest_penny(band_d, band):
    exact = Fraction(band_d * BAND_RATIOS[band], 9)
    assert abs(band_bill(band_d, band) - exact) <= Fraction(1, 2)


def test_referendum_limits_verified_years():
    assert {"2023-24", "2024-25", "2025-26"} <= set(referendum_years())
    sc = referendum_limit("2024-25", AuthorityClass.SOCIAL_CARE_AUTHORITY)
    assert sc.principle.percent_bp == 500 and sc.principle.adult_social_care_bp == 200
    assert "2024/25" in sc.source and sc.verified_from.startswith("https://")
    district = referendum_limit("2023-24", "shire_district")
    assert (district.principle.rule, district.principle.percent_bp,
            district.principle.pounds_pence) == ("both", 300, 500)
    assert referendum_limit("2024-25", "police_and_crime_commissioner").principle.pounds_pence \
        == 1300
    assert referendum_limit("2020-21", "shire_district").hc_number == "HC 70"


def test_referendum_limit_refuses_what_it_does_not_know():
    with pytest.raises(NotFoundError, match="No council tax referendum principles for 2022-23"):
        referendum_limit("2022-23", "shire_district")
    with pytest.raises(NotFoundError, match="not verified"):
        referendum_limit("2024-25", "fire_and_rescue_authority")
    with pytest.raises(InputError, match="not a class of authority"):
        referendum_limit("2024-25", "parish")


def test_is_excessive_social_care_at_or_above_five_percent():
    p = referendum_limit("2024-25", "social_care_authority").principle
    assert not is_excessive(p, 200000, new_band_d(200000, 499))
    assert is_excessive(p, 200000, new_band_d(200000, 500))


def test_is_excessive_district_whichever_is_higher():
    p = referendum_limit("2024-25", "shire_district").principle
    # Band D £150: 3% is £4.50, so up to £5 is allowed (6.67%), £5.01 is not.
    assert not is_excessive(p, 15000, 15500)
    assert is_excessive(p, 15000, 15501)
    # Band D £250: £5 is 2%, so up to 2.99% (£7.47) is allowed, 3% (£7.50) is not.
    assert not is_excessive(p, 25000, 25747)
    assert is_excessive(p, 25000, 25750)


def test_is_excessive_police_pounds():
    p = referendum_limit("2025-26", "police_and_crime_commissioner").principle
    assert not is_excessive(p, 25000, 26400) and is_excessive(p, 25000, 26401)
