"""The decade measures, the publication cut-off and the backtest on the real loaded hub (every
registered source). Figures are the published values as loaded from the named files."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.insight.early_warning import backtest, resilience
from wholeplace.insight.early_warning import flags as rules

runner = CliRunner()


def _indicator(result: dict, code: str, indicator_id: str) -> dict:
    council = next(c for c in result["councils"] if c["code"] == code)
    return next(r for r in council["indicators"] if r["indicator"] == indicator_id)


def test_every_indicator_is_assessed_for_every_council(loaded_store):
    result = resilience.assess(loaded_store, 2016)
    assert result["period"] == "2015-16"
    for c in result["councils"]:
        assert [r["indicator"] for r in c["indicators"]] == [i.id for i in rules.INDICATORS]


def test_decade_measures_match_the_published_figures(loaded_store):
    result = resilience.assess(loaded_store, 2016)
    # Northamptonshire (E10000021), RS 2014-15 and 2015-16: unallocated 12009 + other earmarked
    # 47695 at 31 March 2015; 12010 + 19636 at 31 March 2016: a fall of 28058 in a year.
    runout = _indicator(result, "E10000021", "reserves_runout")
    assert runout["value"] == pytest.approx((12010 + 19636) / (12009 + 47695 - 12010 - 19636))
    assert runout["span"]["text"] == "31 March 2015 to 31 March 2016 (1 year)"
    assert runout["band"] == rules.HIGHER
    # Children's social care: RS 2015-16 outturn 129777.37357 against the RA 2015-16 budget 94069.
    care = _indicator(result, "E10000021", "childrens_social_care_overspend_pct")
    assert care["value"] == pytest.approx(100 * (129777.37357 - 94069) / 94069)
    assert care["band"] == rules.HIGHER and "+38.0%" in care["explanation"]
    # Districts have no social care: not applicable.
    district = _indicator(result, "E07000008", "adult_social_care_overspend_pct")
    assert district["band"] == rules.NOT_APPLICABLE


def test_debt_measures_from_the_borrowing_table(loaded_store):
    # Thurrock (E06000034): total external borrowing 394639 at 31 March 2017 and 1413489 at
    # 31 March 2020 (the QB4 live table). 2019-20 is assessed from 2021, when RS 2019-20 was out.
    result = resilience.assess(loaded_store, 2021)
    assert result["period"] == "2020-21"  # no borrowing for 2020-21: not enough data, and why
    got = _indicator(result, "E06000034", "debt_pct_nre")
    assert got["value"] is None and got["band"] == rules.NO_DATA
    assert "total external borrowing" in got["explanation"] and "2020-21" in got["explanation"]
    found = resilience.council_flags(loaded_store, 2020, "E06000034")
    growth = next(r for r in found["council"]["indicators"] if r["indicator"] ==
                  "debt_growth_pct")
    # At 31 December 2020 the latest RS is 2018-19 (2019-20 was published on 11 June 2021).
    assert found["period"] == "2018-19"
    assert growth["span"]["text"] == "2015-16 to 2018-19 (3 years)"
    assert growth["value"] is not None and growth["band"] in rules.BANDS


def test_a_release_is_excluded_before_its_date_and_included_after(loaded_store):
    # RS 2022-23 (third release) was published on 8 July 2024, RS 2023-24 on 12 December 2024.
    before = resilience.assess(loaded_store, 2023)
    assert before["period"] == "2021-22" and "rs_2022_23" not in before["sources_used"]
    after = resilience.assess(loaded_store, 2024)
    assert after["period"] == "2023-24"
    assert {"rs_2022_23", "rs_2023_24"} <= set(after["sources_used"])
    # RS 2017-18: its front page gives 15 November 2018, now the registry's date: no caveat.
    y2018 = resilience.assess(loaded_store, 2018)
    assert y2018["period"] == "2017-18"
    assert not any(c.startswith("rs_2017_18") for c in y2018["caveats"])
    # The borrowing table has no release date: assumed out by 31 December 2020, and said so.
    assert "borrowing_investment_q4_2019_20" not in resilience.assess(
        loaded_store, 2019)["sources_used"]
    y2020 = resilience.assess(loaded_store, 2020)
    assert "borrowing_investment_q4_2019_20" in y2020["sources_used"]
    assert any(c.startswith("borrowing_investment_q4_2019_20") for c in y2020["caveats"])
    # RA budgets: 2023-24 part 1 (22 June 2023) is read beside RS 2023-24 from 2024 only.
    assert "ra_2023_24_part1" in after["sources_used"]
    assert "ra_2023_24_part1" not in before["sources_used"]


@pytest.fixture(scope="module")
def tested(loaded_db):
    from wholeplace.hub.store import open_store

    # Three years of the table (each year is a full assessment; 'wholeplace backtest' runs all
    # 13): the first, the last with an outcome and the first without. The other tests' years
    # reuse the remembered assessments.
    with open_store(loaded_db, read_only=True) as store:
        return backtest.backtest(store, [2012, 2023, 2024])


def test_backtest_table_on_the_real_hub(tested, loaded_store):
    rows = {r["year"]: r for r in tested["rows"]}
    assert list(rows) == [2012, 2023, 2024] and tested["latest_outturn"] == "2023-24"
    assert rows[2024]["status"] == "outcome not yet published"
    assert rows[2024]["assessed_period"] == "2023-24" and rows[2024]["outcome_period"] == \
        "2025-26"
    for year in (2012, 2023):
        r = rows[year]
        assert r["status"] == "compared"
        assert r["flagged_with_outcome"] <= r["flagged"]
        assert r["not_flagged_with_outcome"] <= r["not_flagged"]
        assert r["ci_low"] < r["difference"] < r["ci_high"]
    # Nothing for 2022-23 was out by the end of 2023: 2023 assesses 2021-22, outcome 2023-24.
    assert rows[2023]["assessed_period"] == "2021-22" and rows[2023]["outcome_period"] == \
        "2023-24"
    # As measured (docs/early-warning.md): 114 flagged, 217 not; 103 and 195 with an outcome.
    assert (rows[2023]["flagged"], rows[2023]["not_flagged"]) == (114, 217)
    assert (rows[2023]["flagged_with_outcome"], rows[2023]["not_flagged_with_outcome"]) == \
        (103, 195)
    assert rows[2023]["difference"] == pytest.approx(39.57, abs=0.01)
    assert (rows[2012]["flagged"], rows[2012]["not_flagged"]) == (44, 307)
    # The flagged count is the assessment's: councils with at least 2 "higher risk" flags.
    assessed = resilience.assess(loaded_store, 2012)
    assert rows[2012]["flagged"] == sum(c["higher_risk"] >= 2 for c in assessed["councils"]
                                        if c["status"] == "assessed")
    assert rows[2012]["assessed_period"] == "2010-11"


def test_backtest_outcome_of_one_council_by_hand(loaded_store):
    # Birmingham (E08000025): RS 2010-11 usable 32289 + 52280 over NRE 994228; RS 2012-13
    # 24767 + 179685 over NRE 908143.
    latest = resilience.read_rs(loaded_store, resilience.as_of_date(2100))
    series = backtest.usable_pct_nre(latest.values["E08000025"])
    move = series[2012] - series[2010]
    assert move == pytest.approx(100 * (24767 + 179685) / 908143 - 100 * (32289 + 52280) / 994228)
    assert move == pytest.approx(14.007, abs=0.001)


def test_backtest_cli_text_and_json(loaded_db):
    out = runner.invoke(app, ["--db", str(loaded_db), "backtest", "--from", "2023", "--to",
                              "2024"])
    assert out.exit_code == 0, out.output
    assert "Welch" in out.output and "outcome not yet published" in out.output
    assert "2023  2021-22  2023-24" in out.output
    data = json.loads(runner.invoke(app, ["--db", str(loaded_db), "backtest", "--from", "2024",
                                          "--to", "2024", "--json"]).output)
    assert data["min_higher"] == 2 and data["rows"][0]["status"] == "outcome not yet published"
    bad = runner.invoke(app, ["--db", str(loaded_db), "backtest", "--from", "2020", "--to",
                              "2019"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
