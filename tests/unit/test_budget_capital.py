"""Capital financing: MRP by both methods and interest, against figures computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wholeplace.budget.capital import Financing, finance, mrp_instalments
from wholeplace.errors import InputError


def test_asset_life_method_equal_instalments():
    assert list(mrp_instalments(1000.0, 4, "asset_life")) == [250.0] * 4


def test_annuity_method_by_hand():
    # 1000 over 3 years at 5%: annuity payment A = 1000*0.05/(1-1.05^-3) = 367.2085646...
    # year 1: interest 50.00, principal 317.2085646; year 2: interest 34.1395718, principal
    # 333.0689928; year 3: interest 17.4861221, principal 349.7224425. Sum of principal = 1000.
    got = mrp_instalments(1000.0, 3, "annuity", 0.05)
    assert got == pytest.approx([317.2085646, 333.0689928, 349.7224425], abs=1e-6)
    assert got.sum() == pytest.approx(1000.0)
    assert list(mrp_instalments(900.0, 3, "annuity", 0.0)) == [300.0] * 3


def test_borrowing_flows_into_revenue_by_hand():
    # 1000 borrowed in year 1, 4-year life, equal instalments, 5% interest, MRP from year 2.
    r = finance([1000.0, 0, 0, 0, 0, 0], Financing(life=4, method="asset_life",
                                                  interest_rate=0.05))
    assert list(r.mrp) == [0, 250, 250, 250, 250, 0]
    assert list(r.debt_end) == [1000, 750, 500, 250, 0, 0]
    # interest on the debt at the start of each year: 0, 50, 37.5, 25, 12.5, 0
    assert r.interest == pytest.approx([0, 50, 37.5, 25, 12.5, 0])
    assert r.revenue_cost == pytest.approx([0, 300, 287.5, 275, 262.5, 0])


def test_two_years_of_borrowing_overlap_and_the_plan_ends_before_the_asset_life():
    r = finance([100.0, 200.0, 0.0], Financing(life=10, method="asset_life",
                                              interest_rate=0.04))
    assert r.mrp == pytest.approx([0, 10, 30])
    assert r.debt_end == pytest.approx([100, 290, 260])
    assert r.interest == pytest.approx([0, 4, 11.6])


@pytest.mark.parametrize("life", [0, -1])
def test_asset_life_of_zero_refused(life):
    with pytest.raises(InputError, match="asset life"):
        mrp_instalments(100.0, life, "asset_life")


def test_bad_inputs_refused():
    with pytest.raises(InputError, match="interest rate"):
        Financing(life=5, method="annuity", interest_rate=5.0)
    with pytest.raises(InputError, match="year 2 is negative"):
        finance([1.0, -1.0], Financing(life=5, method="annuity", interest_rate=0.05))
    with pytest.raises(InputError, match="method"):
        mrp_instalments(1.0, 2, "straight")  # type: ignore[arg-type]
    assert np.all(finance([0.0, 0.0], Financing(5, "annuity", 0.05)).mrp == 0)
