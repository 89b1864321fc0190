"""The officer's results by hand-computed cases: distributions, council tax shares, the funnel,
times to complete, and the weights to the population by age band.

The responses and population below are TEST DATA (made-up), on the synthetic test consultation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from wholeplace.consult import load_definition
from wholeplace.consult.dashboard import results
from wholeplace.consult.results import (
    EventRow,
    ResponseRow,
    bins_for,
    completion_seconds,
    funnel,
    line_results,
    percent,
    row_of,
    summary,
    tax_result,
)
from wholeplace.consult.weighting import Population, by_age, by_area, group, weights

FIXTURE = Path(__file__).parents[1] / "fixtures" / "consult" / "test_consultation.yaml"
T0 = datetime(2024, 1, 10, 10, 0, tzinfo=UTC)
POPULATION = Population("mid-2022", {"population.age_0_17": 40_000,
                                     "population.age_18_64": 120_000,
                                     "population.age_65_plus": 40_000}, "test data")


@pytest.fixture(scope="module")
def c():
    return load_definition(FIXTURE)


def response(ref: str, libraries: str, core: str = "0", asc: str = "0", *, age: str | None,
             area: str | None, seconds: int | None, above: bool = False,
             channel: str = "online") -> ResponseRow:
    return ResponseRow(
        reference=ref, channel=channel,
        choices={"line_changes": {"libraries": libraries}, "council_tax_change": core,
                 "adult_social_care_change": asc},
        above_referendum_limit=above, submitted_at=T0 + timedelta(seconds=seconds or 0),
        started_at=T0 if seconds is not None else None, age_band=age, area=area)


@pytest.fixture(scope="module")
def rows():
    return [
        response("R1", "-300000", "2.99", "2", age="25-34", area="North", seconds=300),
        response("R2", "-100000", age="65-74", area="North", seconds=600),
        response("R3", "0", "-1", age="prefer not to say", area="South", seconds=120),
        response("R4", "200000", "5", age="18-24", area="South", seconds=240, above=True),
        response("R5", "-300000", "1", age=None, area=None, seconds=None, channel="paper"),
    ]


def test_line_distribution_by_hand(c, rows):
    libraries = line_results(c, rows)[0]
    s = libraries.summary  # pence, sorted: -30M, -30M, -10M, 0, +20M
    assert (s.n, s.minimum, s.q1, s.median, s.q3, s.maximum) == (
        5, -30_000_000, -30_000_000, -10_000_000, 0, 20_000_000)
    assert s.mean == -10_000_000  # (-30 - 10 + 0 + 20 - 30) / 5 million pence
    assert (libraries.cut, libraries.unchanged, libraries.increase) == (3, 1, 1)
    # -£500,000 to +£200,000 in £50,000 steps: 15 bars of one step each.
    assert len(libraries.bins) == 15 and libraries.outside == 0
    counts = {b.low: b.count for b in libraries.bins if b.count}
    assert counts == {-30_000_000: 2, -10_000_000: 1, 0: 1, 20_000_000: 1}
    # The untouched adult social care line: everybody at no change.
    asc = line_results(c, rows)[1]
    assert asc.summary.median == 0 and asc.unchanged == 5 and len(asc.bins) == 21


def test_wide_ranges_group_steps_and_count_values_outside(c):
    line = c.lines[1].model_copy(update={"step": Decimal("100000")})  # 101 points
    bins, outside = bins_for(line, [-500_000_000, -499_990_000 + 9_990_000, 700_000_000])
    assert len(bins) == 21  # ceil(101 / 21) = 5 steps a bar: 20 full bars and one of one step
    assert (bins[0].low, bins[0].high) == (-500_000_000, -460_000_000)
    assert (bins[-1].low, bins[-1].high) == (500_000_000, 500_000_000)
    assert bins[0].count == 2 and outside == 1


def test_quantiles_interpolate_exactly():
    s = summary([1, 2, 3, 4])  # type 7: q1 = 1.75, median 2.5, q3 = 3.25, rounded half away
    assert (s.q1, s.median, s.q3, s.mean) == (2, 3, 3, 3)
    assert summary([]).median is None


def test_council_tax_shares_and_referendum_counted_apart(c, rows):
    t = tax_result(rows)
    assert (t.rise, t.unchanged, t.cut, t.above_referendum_limit) == (3, 1, 1, 1)
    d = t.to_dict()
    assert d["rise_percent"] == "60.0" and d["above_referendum_limit_percent"] == "20.0"
    assert d["change_basis_points"]["median"] == 100  # 499, 0, -100, 500, 100 -> 100


def test_percentages_round_half_away():
    assert percent(1, 3) == Decimal("33.3") and percent(2, 3) == Decimal("66.7")
    assert percent(1, 16) == Decimal("6.3") and percent(1, 16, 2) == Decimal("6.25")
    assert percent(0, 0) is None


def test_weights_by_hand(c, rows):
    w = weights(rows, POPULATION)
    # With an age: 18-64 twice (R1, R4), 65+ once (R2); nobody under 18, so that band's
    # population is left out: 18-64 is 120,000 / 160,000 = 75% of the rest, 65+ 25%.
    by_band = {x.band: x for x in w.bands}
    assert by_band["population.age_18_64"].weight == Fraction(9, 8)  # 0.75 / (2/3)
    assert by_band["population.age_65_plus"].weight == Fraction(3, 4)  # 0.25 / (1/3)
    assert by_band["population.age_0_17"].weight is None
    assert w.unrepresented == ("population.age_0_17",) and w.without_age == 2
    d = w.to_dict()["bands"]
    assert [x["weight"] for x in d] == [None, "1.1250", "0.7500"]
    assert [x["population_share_percent"] for x in d] == [None, "75.0", "25.0"]
    assert d[1]["age_bands"] == ["18-24", "25-34", "35-44", "45-54", "55-64"]
    assert d[2]["age_bands"] == ["65-74", "75 or over"]


def test_weighted_means_and_shares_by_hand(c, rows):
    w = weights(rows, POPULATION)
    everyone = group(c, "all", "All", rows, w)
    assert everyone.mean_change["libraries"] == -10_000_000
    # R1 -30M x 1.125, R2 -10M x 0.75, R4 +20M x 1.125 over weights 3: -18.75M / 3 = -6.25M.
    assert everyone.weighted_mean_change["libraries"] == -6_250_000
    assert everyone.weighted_n == 3
    # A rise: R1 and R4 (1.125 each) of 3 -> 75.0%; unweighted 3 of 5.
    assert everyone.weighted_tax_rise_percent == Decimal("75.0") and everyone.tax_rise == 3


def test_breakdowns_by_area_and_age(c, rows):
    w = weights(rows, POPULATION)
    areas = {g.key: g for g in by_area(c, rows, w)}
    assert list(areas) == ["North", "South", "not_given"]
    assert areas["North"].mean_change["libraries"] == -20_000_000
    # (-30M x 1.125 - 10M x 0.75) / 1.875 = -41.25M / 1.875 = -22M
    assert areas["North"].weighted_mean_change["libraries"] == -22_000_000
    assert areas["not_given"].weighted_mean_change["libraries"] is None
    ages = [g.key for g in by_age(c, rows, w)]
    assert ages == ["18-24", "25-34", "65-74", "prefer not to say", "not_given"]


def test_without_population_nothing_is_weighted(c, rows):
    w = weights(rows, None)
    assert all(x.weight is None for x in w.bands)
    assert group(c, "all", "All", rows, w).weighted_mean_change["libraries"] is None


def test_funnel_counts_distinct_visitors():
    ev = [EventRow(s, v, T0) for s, v in (
        ("opened", "v1"), ("opened", "v1"), ("opened", "v2"), ("opened", "v3"),
        ("opened", None), ("started", "v1"), ("started", "v2"), ("completed", "v1"))]
    f = funnel(ev)
    assert (f.opened, f.started, f.completed) == (4, 2, 1)
    d = f.to_dict()
    assert (d["started_percent_of_opened"], d["completed_percent_of_started"],
            d["completed_percent_of_opened"]) == ("50.0", "50.0", "25.0")


def test_time_to_complete_online_only(rows):
    s = completion_seconds(rows)  # 120, 240, 300, 600 (the paper response has no start)
    assert (s.n, s.q1, s.median, s.q3, s.mean) == (4, 210, 270, 375, 315)


def test_results_assembled_and_rows_from_table_columns(c, rows):
    data = results(c, rows, [], POPULATION)
    assert data["responses"] == 5 and data["channels"] == {"online": 4, "paper": 1}
    assert data["council_tax"]["rise"] == 3 and data["weights"]["without_age"] == 2
    r = row_of({"id": 7, "reference": "X", "channel": "online", "choices": {},
                "above_referendum_limit": False, "submitted_at": T0, "surge_flag": False})
    assert r.line_change("libraries") == 0 and r.tax_change_bp() == 0


def test_csv_export_quotes_formulas_and_leaves_unanswered_empty(c, rows, tmp_path):
    import csv
    import io

    from wholeplace.consult.exports import to_csv

    evil = ResponseRow(reference="R6", channel="online", choices={},
                       above_referendum_limit=False, submitted_at=T0, comment="=HYPERLINK(1)")
    table = list(csv.DictReader(io.StringIO(to_csv(c, [*rows, evil]))))
    assert table[0]["line_change_gbp:libraries"] == "-300000.00"
    assert table[0]["council_tax_change_percent"] == "2.99"
    assert table[4]["channel"] == "paper" and table[4]["age_band"] == ""
    assert table[4]["started_at"] == ""
    assert table[5]["comment"] == "'=HYPERLINK(1)"
    assert table[5]["line_change_gbp:events"] == "0.00"


def test_xlsx_export_reads_back(c, rows, tmp_path):
    from wholeplace.consult.exports import to_xlsx
    from wholeplace.hub.loaders.workbook import read_workbook

    path = tmp_path / "r.xlsx"
    path.write_bytes(to_xlsx(c, rows, results(c, rows, [], POPULATION)))
    sheets = dict(read_workbook(path))
    assert list(sheets) == ["Responses", "Lines", "Weights", "Funnel"]
    lines = sheets["Lines"]
    assert lines[0][:3] == ["line", "title", "budget_gbp"]
    assert lines[1][0] == "libraries" and lines[1][6] == -100000  # median, pounds
    assert sheets["Weights"][2][6] == "1.1250"


def test_histogram_chart_has_words_and_bars(c, rows):
    from wholeplace.consult.charts import line_charts

    svg = line_charts(results(c, rows, [], POPULATION))["libraries"]
    assert svg.startswith("<svg") and "Proposed changes to Libraries" in svg
    assert "\u2212£300,000: 2" in svg and svg.count("<rect") == 4


def test_surge_flags_are_counted_never_dropped(c, rows):
    flagged = ResponseRow(reference="R7", channel="online", choices={},
                          above_referendum_limit=False, submitted_at=T0, surge_flag=True)
    data = results(c, [*rows, flagged], [], POPULATION)
    assert data["responses"] == 6 and data["surge_flagged"] == 1
