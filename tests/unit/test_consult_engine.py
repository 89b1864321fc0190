"""The rules engine by hand-computed cases, and its properties."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wholeplace.consult import (
    Consultation,
    Response,
    accept_response,
    check_response,
    evaluate,
    load_definition,
)
from wholeplace.errors import ValidationError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "consult" / "test_consultation.yaml"


@pytest.fixture(scope="module")
def c() -> Consultation:
    return load_definition(FIXTURE)


def codes(c: Consultation, **kw: object) -> set[str]:
    return {v.code for v in check_response(c, Response.model_validate(kw))[1]}


def test_nothing_changed_leaves_the_whole_gap(c):
    out, found = check_response(c, Response())
    assert out.remaining_pence == 100_000_000 and not out.balanced
    assert [v.code for v in found] == ["unbalanced"]


def test_balance_by_hand(c):
    r = {"line_changes": {"libraries": "-300000", "events": "-100000"},
         "fees_change": "100000", "reserves_use": "250000"}
    out, found = check_response(c, Response.model_validate(r))
    assert out.remaining_pence == 25_000_000  # 1,000,000 - 300,000 - 100,000 - 100,000 - 250,000
    assert [v.code for v in found] == ["unbalanced"]
    assert out.one_off_pence == 35_000_000  # the events saving and reserves are one-off
    assert out.lines[0].consequences == ("Two libraries close on Saturdays.",
                                         "The mobile library stops.")
    # + 0.5%: Band D 1234.57 -> +6.17 (6.17285); x 61,234.56 = 377,817.2352 -> £377,817.24.
    out = accept_response(c, Response.model_validate({**r, "council_tax_change": "0.5"}))
    assert out.tax is not None and out.tax.yield_pence == 37_781_724
    assert out.remaining_pence == 25_000_000 - 37_781_724 and out.balanced
    assert out.warnings == ("reserves_one_off",)


def test_council_tax_499_bands_and_asc_by_hand(c):
    out = evaluate(c, Response(council_tax_change=Decimal("2.99"),
                               adult_social_care_change=Decimal("2")))
    t = out.tax
    assert t is not None
    assert (t.band_d_before_pence, t.band_d_after_pence) == (123457, 129618)
    assert t.yield_pence == 377_266_124           # 61,234.56 x £61.61
    assert t.adult_social_care_yield_pence == 151_188_129  # 61,234.56 x £24.69
    assert t.core_yield_pence == 377_266_124 - 151_188_129
    assert t.one_percent_pence == 75_598_351      # 61,234.56 x 1234.57 / 100 = 755,983.5074
    assert t.bands["A"] == {"before_pence": 82305, "after_pence": 86412, "per_year_pence": 4107,
                            "per_week_pence": 79, "total_before_pence": 104305,
                            "total_after_pence": 108412}
    assert {b: (v["per_year_pence"], v["per_week_pence"]) for b, v in t.bands.items()} == {
        "A": (4107, 79), "B": (4792, 92), "C": (5476, 105), "D": (6161, 118),
        "E": (7530, 145), "F": (8899, 171), "G": (10268, 197), "H": (12322, 237)}
    assert not t.excessive


def test_hard_cap_refuses_five_percent(c):
    assert "above_cap" in codes(c, council_tax_change="3", adult_social_care_change="2")
    assert "above_cap" not in codes(c, council_tax_change="2.99", adult_social_care_change="2")


def test_warn_mode_allows_with_a_warning(c):
    ct = c.council_tax
    assert ct is not None
    warn = c.model_copy(update={"council_tax": ct.model_copy(update={
        "referendum": ct.referendum.model_copy(update={"mode": "warn",
                                                       "cost": Decimal("350000")})})})
    out, found = check_response(warn, Response(council_tax_change=Decimal("5")))
    assert found == [] and "referendum_needed" in out.warnings
    assert out.tax is not None and out.tax.referendum_cost_pence == 35_000_000


def test_floor_range_step_reserves_unknown(c):
    assert "below_floor" in codes(c, line_changes={"adult_social_care": "-2500000"})
    assert "below_floor" not in codes(c, line_changes={"adult_social_care": "-2000000"})
    assert "out_of_range" in codes(c, line_changes={"libraries": "-550000"})
    assert "off_step" in codes(c, line_changes={"libraries": "-25000"})
    assert "off_step" in codes(c, line_changes={"events": "-150000"})
    assert "below_minimum" in codes(c, reserves_use="2250000")
    assert "below_minimum" not in codes(c, reserves_use="2000000")
    assert "unknown_line" in codes(c, line_changes={"parks": "-1"})
    assert "out_of_range" in codes(c, adult_social_care_change="-1")


def test_accept_raises_every_problem(c):
    with pytest.raises(ValidationError) as info:
        accept_response(c, Response.model_validate(
            {"line_changes": {"libraries": "-25000", "adult_social_care": "-3000000"},
             "reserves_use": "5000000"}))
    fields = {p.column for p in info.value.problems}
    assert fields == {"line_changes.libraries", "line_changes.adult_social_care",
                      "reserves_use"}


def _grid(low: int, high: int, step: int) -> st.SearchStrategy[int]:
    return st.integers(low // step, high // step).map(lambda k: k * step)


responses = st.fixed_dictionaries({
    "line_changes": st.fixed_dictionaries({
        "libraries": _grid(-500000, 200000, 50000).map(str),
        "adult_social_care": _grid(-5000000, 5000000, 500000).map(str),
        "events": _grid(-300000, 0, 100000).map(str)}),
    "council_tax_change": st.integers(-200, 500).map(lambda bp: str(Decimal(bp) / 100)),
    "adult_social_care_change": st.integers(0, 300).map(lambda bp: str(Decimal(bp) / 100)),
    "fees_change": _grid(-100000, 300000, 50000).map(str),
    "reserves_use": _grid(0, 10000000, 250000).map(str),
})


@settings(max_examples=300, deadline=None)
@given(responses)
def test_any_accepted_response_balances_and_keeps_the_rules(c, data):
    out, found = check_response(c, Response.model_validate(data))
    if not found:
        assert out.remaining_pence <= 0
        for line, lo in zip(c.lines, out.lines):
            assert lo.change_pence % int(line.step * 100) == 0
            if line.protection:
                assert lo.after_pence >= int(line.protection.minimum * 100)
        assert out.reserves_pence <= 200_000_000
        assert out.tax is not None and not out.tax.excessive
    else:
        assert out.remaining_pence > 0 or {v.code for v in found} - {"unbalanced"}


def _district(c: Consultation, band_d: str) -> Consultation:
    ct = c.council_tax
    assert ct is not None
    from wholeplace.counciltax import referendum_limit

    return c.model_copy(update={"council_tax": ct.model_copy(update={
        "band_d": Decimal(band_d), "authority_class": "shire_district",
        "adult_social_care": None,
        "referendum": ct.referendum.model_copy(update={
            "limit": referendum_limit("2024-25", "shire_district")})})})


def test_district_percent_test_is_on_the_rounded_band_d(c):
    d = _district(c, "187.45")  # 3% is £5.62 (5.6235 rounded): 2.998%, so still allowed
    assert "above_cap" not in codes(d, council_tax_change="3")
    assert "above_cap" in codes(d, council_tax_change="3.01")  # £5.64: over 3% and over £5


def test_district_five_pound_alternative(c):
    d = _district(c, "150")  # 3% is £4.50, so up to £5 is allowed: 3.33% is £4.995 -> £5.00
    assert "above_cap" not in codes(d, council_tax_change="3.33")
    assert "above_cap" in codes(d, council_tax_change="3.34")  # £5.01
