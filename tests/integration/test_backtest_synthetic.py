"""The backtest on a small hub built here from SYNTHETIC TEST DATA (labelled as such in every
dataset's title): eleven real shire district codes with invented reserves, so the flags and the
outcome can be worked out by hand. Nothing here is a published figure."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats

from wholeplace.hub.batch import LoadBatch, ObservationFrame, SourceInfo
from wholeplace.hub.load import apply_batch
from wholeplace.hub.periods import parse_period
from wholeplace.insight.early_warning import backtest, resilience

#: Synthetic test values, £ thousand: (unallocated, other earmarked) at 31 March 2011, with net
#: revenue expenditure 100 everywhere, so each sum is also the % of NRE.
LEVELS_2010 = {0: (1, 1), 1: (2, 2), **{i: (10 + i, 10 + i) for i in range(2, 11)}}
#: Usable reserves at 31 March 2013 as % of NRE (NRE 100 again): the outcome. Council 10 has no
#: 2012-13 row: it is counted, but has no outcome.
LEVELS_2012 = {0: 3.0, 1: 7.0, **{i: 2 * (10 + i) + (i + 2) for i in range(2, 10)}}


def _batch(source_id: str, released: date, rows: list[tuple[str, str, float]]) -> LoadBatch:
    frame = ObservationFrame()
    for indicator, code, value in rows:
        frame.add(indicator, code, parse_period(source_id[-7:].replace("_", "-")), value)
    info = SourceInfo(source_id=source_id, title=f"SYNTHETIC TEST DATA ({source_id})",
                      file_name=f"{source_id}.synthetic", sha256=f"synthetic-{source_id}",
                      size=1, loader="synthetic_test", loader_version="1",
                      release=f"synthetic {released.isoformat()}", released_on=released)
    return LoadBatch(source=info, observations=frame)


@pytest.fixture
def synthetic_store(register_store):
    codes = [r["gss_code"] for r in register_store.rows(
        "SELECT gss_code FROM places WHERE la_type = 'shire district' AND current "
        "ORDER BY gss_code LIMIT 11")]
    first = []
    for i, code in enumerate(codes):
        un, ea = LEVELS_2010[i]
        first += [("rs.net_revenue_expenditure", code, 100.0),
                  ("rs.reserves.unallocated.end", code, float(un)),
                  ("rs.reserves.other_earmarked.end", code, float(ea))]
    later = []
    for i, pct in LEVELS_2012.items():
        later += [("rs.net_revenue_expenditure", codes[i], 100.0),
                  ("rs.reserves.unallocated.end", codes[i], pct / 2),
                  ("rs.reserves.other_earmarked.end", codes[i], pct / 2)]
    apply_batch(register_store, _batch("synthetic_rs_2010_11", date(2012, 6, 1), first))
    apply_batch(register_store, _batch("synthetic_rs_2012_13", date(2014, 6, 1), later))
    return register_store, codes


def test_flags_by_hand(synthetic_store):
    store, codes = synthetic_store
    result = resilience.assess(store, 2012)
    assert result["period"] == "2010-11"
    higher = {c["code"]: c["higher_risk"] for c in result["councils"]}
    # Council 0 (2% of NRE): lowest usable, unallocated and earmarked: 3 "higher risk".
    # Council 1 (4%): below the 5% threshold and in the riskiest quartile: 1; the rest none.
    assert higher[codes[0]] == 3 and higher[codes[1]] == 1
    assert all(higher[c] == 0 for c in codes[2:])


def test_backtest_by_hand(synthetic_store):
    store, _ = synthetic_store
    tested = backtest.backtest(store, [2012, 2013, 2014], min_higher=1)
    [y2012, y2013, y2014] = tested["rows"]
    # 2013: nothing new was published in 2013, so 2010-11 is assessed again.
    assert y2012["assessed_period"] == y2013["assessed_period"] == "2010-11"
    assert y2012["outcome_period"] == "2012-13"
    assert (y2012["flagged"], y2012["not_flagged"]) == (2, 9)
    assert (y2012["flagged_with_outcome"], y2012["not_flagged_with_outcome"]) == (2, 8)
    # Moves, percentage points: flagged 3 - 2 = +1 and 7 - 4 = +3 (mean 2); the others
    # (i + 2 for i = 2..9) +4 ... +11 (mean 7.5).
    assert y2012["flagged_mean"] == 2.0 and y2012["not_flagged_mean"] == 7.5
    assert y2012["difference"] == -5.5
    # Welch by hand: variances 2 (n 2) and 6 (n 8); SE = sqrt(2/2 + 6/8); Welch-Satterthwaite df.
    se = math.sqrt(2 / 2 + 6 / 8)
    df = (2 / 2 + 6 / 8) ** 2 / ((2 / 2) ** 2 / 1 + (6 / 8) ** 2 / 7)
    half = stats.t.ppf(0.975, df) * se
    assert y2012["ci_low"] == pytest.approx(-5.5 - half, abs=0.006)
    assert y2012["ci_high"] == pytest.approx(-5.5 + half, abs=0.006)
    assert y2012["df"] == pytest.approx(df, abs=0.006)
    # 2014 assesses 2012-13; its outcome (2014-15) is not in the hub.
    assert y2014["assessed_period"] == "2012-13"
    assert y2014["status"] == "outcome not yet published" and "2014-15" in y2014["reason"]
    assert "Welch" in tested["method"]


def test_default_flagging_needs_two_higher_risk_flags(synthetic_store):
    store, _ = synthetic_store
    [row] = backtest.backtest(store, [2012])["rows"]
    assert (row["flagged"], row["flagged_with_outcome"]) == (1, 1)
    # One flagged council: a mean, but no interval.
    assert row["flagged_mean"] == 1.0 and row["ci_low"] is None and row["ci_high"] is None
