"""Green Book discounting and appraisal, against figures computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wholeplace.budget.appraisal import (
    benefit_cost_ratio,
    discount_factors,
    npv,
    parse_schedule,
    payback_year,
    rates,
    roi,
    shipped_schedule,
)
from wholeplace.errors import InputError


def test_shipped_schedules_carry_their_source():
    s = shipped_schedule()
    assert s.edition == "2022" and "Annex A6" in s.source
    assert [(b.start, b.end, b.rate) for b in s.bands] == [
        (0, 30, 0.035), (31, 75, 0.03), (76, 125, 0.025), (126, 200, 0.02),
        (201, 300, 0.015), (301, None, 0.01)]
    h = shipped_schedule("health")
    assert h.bands[0].rate == 0.015 and h.last_year == 125


def test_factors_across_the_30_year_kink():
    d = discount_factors(shipped_schedule(), 80)
    assert d[0] == 1.0
    assert d[1] == pytest.approx(1 / 1.035)
    assert d[30] == pytest.approx(1 / 1.035**30)                # 0.356278...
    assert d[30] == pytest.approx(0.3562784106, abs=1e-10)
    assert d[31] == pytest.approx(1 / (1.035**30 * 1.03))       # 0.345901...
    assert d[31] == pytest.approx(0.3459013695, abs=1e-10)
    assert d[75] == pytest.approx(1 / (1.035**30 * 1.03**45))
    assert d[76] == pytest.approx(1 / (1.035**30 * 1.03**45 * 1.025))


def test_npv_across_the_kink_by_hand():
    # 100 a year in years 29, 30, 31, 32 (nothing before):
    # 100/1.035^29 + 100/1.035^30 + 100/(1.035^30*1.03) + 100/(1.035^30*1.03^2)
    flows = np.zeros(33)
    flows[29:33] = 100.0
    by_hand = 36.87481549 + 35.62784106 + 34.59013695 + 33.58265723
    assert float(npv(flows, discount_factors(shipped_schedule(), 33))) == pytest.approx(
        by_hand, abs=1e-6)


def test_npv_vectorised_over_draws():
    f = discount_factors(shipped_schedule(), 3)
    flows = np.array([[-100.0, 60.0, 60.0], [-100.0, 0.0, 0.0]])
    out = npv(flows, f)
    assert out.shape == (2,)
    assert out[0] == pytest.approx(-100 + 60 / 1.035 + 60 / 1.035**2)
    assert out[1] == -100.0


def test_roi_bcr_payback():
    assert float(roi(150.0, 100.0)) == pytest.approx(0.5)
    assert float(benefit_cost_ratio(150.0, 100.0)) == pytest.approx(1.5)
    assert np.isnan(roi(10.0, 0.0))
    assert payback_year([-100, 30, 30, 50]).item() == 3
    assert payback_year([-100, 30, 30, 30]).item() == -1
    # dips below zero again: pays back only from the year it stays non-negative
    assert payback_year([-10, 20, -20, 30]).item() == 3
    assert list(payback_year([[-1, 2], [5, 1]])) == [1, 0]


def test_gap_and_overlap_refused_naming_the_years():
    base = {"id": "x", "title": "x", "source": "x", "edition": "x"}
    with pytest.raises(InputError, match="years 31 to 39 have no rate"):
        parse_schedule({**base, "bands": [{"from": 0, "to": 30, "rate": 0.035},
                                          {"from": 40, "to": None, "rate": 0.03}]})
    with pytest.raises(InputError, match="years 25 to 30 are in more than one band"):
        parse_schedule({**base, "bands": [{"from": 0, "to": 30, "rate": 0.035},
                                          {"from": 25, "to": None, "rate": 0.03}]})
    with pytest.raises(InputError, match="years 0 to 4 have no rate"):
        parse_schedule({**base, "bands": [{"from": 5, "to": None, "rate": 0.035}]})


def test_horizon_beyond_a_bounded_schedule_refused():
    with pytest.raises(InputError, match="covers years 0 to 125"):
        rates(shipped_schedule("health"), 130)
    with pytest.raises(InputError, match="is not one of"):
        shipped_schedule("other")
