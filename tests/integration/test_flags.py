"""Early-warning flags on the real loaded hub (every registered source, real RS workbooks)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.errors import InputError, NotFoundError
from wholeplace.insight.early_warning import flags as rules
from wholeplace.insight.early_warning import resilience
runner = CliRunner()


@pytest.fixture(scope="module")
def result_2018(loaded_db):
    from wholeplace.hub.store import open_store

    with open_store(loaded_db, read_only=True) as store:
        return resilience.assess(store, 2018)


def _indicator(council: dict, indicator_id: str) -> dict:
    return next(r for r in council["indicators"] if r["indicator"] == indicator_id)


def _by_code(result: dict) -> dict[str, dict]:
    return {c["code"]: c for c in result["councils"]}


def test_every_council_with_2017_18_data_gets_a_result(result_2018, loaded_store):
    assert result_2018["period"] == "2017-18"
    with_data = {r[0] for r in loaded_store.execute(
        "SELECT DISTINCT area_code FROM observations JOIN places ON gss_code = area_code "
        "WHERE period = '2017-18' AND indicator_id = 'rs.net_revenue_expenditure' "
        "AND tier IN ('upper', 'lower', 'single')").fetchall()}
    assert with_data and set(_by_code(result_2018)) == with_data
    for c in result_2018["councils"]:
        assert len(c["indicators"]) == len(rules.INDICATORS)
        assert all(r["band"] in rules.BANDS for r in c["indicators"])


def test_a_council_with_missing_data_says_not_enough_data(result_2018):
    # Copeland's 2017-18 row is published as '…' in every column.
    copeland = _by_code(result_2018)["E07000029"]
    assert copeland["status"] == rules.NO_DATA and copeland["flags"] == []
    for r in copeland["indicators"]:
        assert r["band"] in (rules.NO_DATA, rules.NOT_APPLICABLE)
        assert r["value"] is None and r["value_text"] in ("not enough data", "not applicable")
        assert "not meaningful" not in r["explanation"]


def test_districts_have_no_social_care_indicator(result_2018):
    district = _by_code(result_2018)["E07000008"]  # Cambridge
    assert _indicator(district, "social_care_share")["band"] == rules.NOT_APPLICABLE


def test_riskiest_first(result_2018):
    keys = [(-c["higher_risk"], -c["severity"]) for c in result_2018["councils"]]
    assert keys == sorted(keys)
    top = result_2018["councils"][0]
    assert top["higher_risk"] >= 3
    # Northamptonshire (section 114 notice, February 2018) is among the most flagged.
    assert "E10000021" in [c["code"] for c in result_2018["councils"][:5]]


def test_each_flag_is_explained(result_2018):
    flagged = [f for c in result_2018["councils"] for f in c["flags"]]
    assert flagged
    for f in flagged:
        assert f["band"] in (rules.HIGHER, rules.SOME)
        for key in ("indicator", "value", "value_text", "threshold", "comparator_position",
                    "trend", "explanation", "definition", "lines"):
            assert f.get(key) not in (None, "", []) or (key == "value"
                                                       and f["value_text"] == "not falling")
        assert f["comparators"]["n"] >= rules.DEFAULT_SETTINGS.min_comparators
        # a median of years of reserves is "not falling" (no number) when most are not falling
        assert f["comparators"]["median"] is not None or f["indicator"] in (
            "reserves_sustainability", "reserves_runout")
        assert f["threshold"]["source"]


def test_values_match_a_manual_calculation_from_the_published_rs(result_2018):
    # Birmingham, RS 2017-18 workbook (E4601): unallocated 170469 and other earmarked 296750 at
    # 31 March 2018; NRE 770458.609. RS 2014-15 workbook: 137782 and 264540 at 31 March 2015.
    bham = _by_code(result_2018)["E08000025"]
    usable_2018, usable_2015 = 170469 + 296750, 137782 + 264540
    assert _indicator(bham, "usable_reserves_pct_nre")["value"] == pytest.approx(
        100 * usable_2018 / 770458.609, rel=1e-9)
    assert _indicator(bham, "unallocated_pct_nre")["value"] == pytest.approx(
        100 * 170469 / 770458.609, rel=1e-9)
    assert _indicator(bham, "usable_reserves_change_pct")["value"] == pytest.approx(
        100 * (usable_2018 - usable_2015) / usable_2015)
    sustain = _indicator(bham, "reserves_sustainability")
    assert sustain["value"] is None and sustain["value_text"] == "not falling"
    # Northamptonshire: usable 12009 + 47695 (31 March 2015) -> 0 + 5185 (31 March 2018).
    north = _by_code(result_2018)["E10000021"]
    rate = (5185 - (12009 + 47695)) / 3
    got = _indicator(north, "reserves_sustainability")
    assert got["value"] == pytest.approx(5185 / -rate)
    # RS 2015-16 and 2016-17 are loaded now: no year of the span is missing
    assert got["span"]["text"] == "31 March 2015 to 31 March 2018 (3 years)"
    assert got["band"] == rules.HIGHER
    assert _indicator(north, "usable_reserves_pct_nre")["band"] == rules.HIGHER  # 1.2% < 5%


def test_comparator_statistics_are_those_of_the_group(result_2018):
    mets = [c for c in result_2018["councils"] if c["la_type"] == "metropolitan district"]
    values = sorted(_indicator(c, "unallocated_pct_nre")["value"] for c in mets)
    r = _indicator(mets[0], "unallocated_pct_nre")
    assert r["comparators"]["n"] == len(values) == 36
    assert r["comparators"]["median"] == pytest.approx(rules.quantile(values, 0.5))
    assert r["comparators"]["lower_quartile"] == pytest.approx(rules.quantile(values, 0.25))


def test_backtest_year_2015_uses_no_2017_18_values(loaded_store):
    result = resilience.assess(loaded_store, 2015)
    # 2014-15 was released on 2 February 2016, after 31 December 2015.
    assert result["period"] == "2013-14"
    assert result["periods_used"] == ["2010-11", "2011-12", "2012-13", "2013-14"]
    assert "rs_2017_18" not in result["sources_used"] and "rs_2014_15" not in \
        result["sources_used"]
    data = resilience.read_rs(loaded_store, result["as_of"])
    assert max(data.years) == 2013
    for c in result["councils"]:
        for r in c["indicators"]:
            span = r.get("span") or {}
            assert "2018" not in span.get("to", "") and "2017" not in span.get("to", "")


def test_flags_backtest_option_gives_that_years_row(loaded_db):
    # The old single-year backtest became one row of 'wholeplace backtest'.
    out = runner.invoke(app, ["--db", str(loaded_db), "flags", "--year", "2024", "--limit", "1",
                              "--backtest"])
    assert out.exit_code == 0, out.output
    assert "Backtest: flagged = at least 2 'higher risk' flags" in out.output
    assert "2024  2023-24  2025-26" in out.output and "outcome not yet published" in out.output


def test_year_before_any_release_is_a_clear_error(loaded_store):
    with pytest.raises(InputError, match="2012"):
        resilience.assess(loaded_store, 2011)
    with pytest.raises(NotFoundError):
        resilience.council_flags(loaded_store, 2018, "E99999999")


def test_region_method_compares_within_the_region(loaded_store):
    found = resilience.council_flags(loaded_store, 2018, "E10000021", method="region")
    # Northamptonshire is a former council: its region group is the register's region.
    assert found["council"]["comparator_group"]["label"] == "county councils in East Midlands"


def test_cli_lists_flags_and_one_council(loaded_db):
    out = runner.invoke(app, ["--db", str(loaded_db), "flags", "--year", "2018", "--limit", "3"])
    assert out.exit_code == 0, out.output
    assert "Early warning for 2017-18" in out.output and "3 of 353 councils shown" in out.output
    assert "Combined Authority" not in out.output
    one = runner.invoke(app, ["--db", str(loaded_db), "flags", "--year", "2018", "--code",
                              "E08000025", "--json"])
    assert one.exit_code == 0
    data = json.loads(one.output)
    assert data["council"]["name"] == "Birmingham" and len(data["council"]["indicators"]) == \
        len(rules.INDICATORS) == 19


def test_cli_errors_are_clean(loaded_db):
    bad = runner.invoke(app, ["--db", str(loaded_db), "flags", "--year", "2010"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "No Revenue Outturn data had been published" in bad.output
    method = runner.invoke(app, ["--db", str(loaded_db), "flags", "--year", "2018",
                                 "--method", "nope"])
    assert method.exit_code == 1 and "Unknown comparator method" in method.output


# Neighbourhood net spending (RS lines 509 + 590 + 599 + 290, £ thousand) went below zero by
# 2017-18: 2014-15 -> 2017-18 totals from the published workbooks.
SIGN_CHANGES = {"E07000201": ("Forest Heath", "£4.4m", "\u2212£10.9m",
                              "environmental and regulatory \u2212£13.2m"),
                "E07000213": ("Spelthorne", "£8.9m", "\u2212£12.7m",
                              "planning and development \u2212£19.0m"),
                "E07000212": ("Runnymede", "£5.1m", "\u2212£2.1m",
                              "planning and development \u2212£7.4m")}


@pytest.mark.parametrize("code", sorted(SIGN_CHANGES))
def test_neighbourhood_spending_that_changes_sign_is_not_meaningful_not_a_cut(result_2018, code):
    name, start, end, line = SIGN_CHANGES[code]
    council = _by_code(result_2018)[code]
    assert council["name"] == name
    got = _indicator(council, "neighbourhood_spend_change_pct")
    assert got["band"] == rules.NOT_MEANINGFUL and got["value"] is None
    assert got["value_text"] == "not meaningful"
    assert f"went from {start} in 2014-15 to {end} in 2017-18" in got["explanation"]
    assert line in got["explanation"] and "not read as a cut" in got["explanation"]
    assert "not enough data" not in got["explanation"]
    # Not flagged on it (the council may be flagged on a decade measure: Runnymede's unallocated
    # reserves fell furthest of the districts' over 3 years).
    assert got not in council["flags"]
    assert "neighbourhood_spend_change_pct" not in [f["indicator"] for f in council["flags"]]


def test_a_not_meaningful_value_is_left_out_of_the_comparators(result_2018):
    districts = [c for c in result_2018["councils"] if c["la_type"] == "shire district"]
    rows = [_indicator(c, "neighbourhood_spend_change_pct") for c in districts]
    with_value = [r["value"] for r in rows if r["value"] is not None]
    assert min(with_value) > -100  # no fall of more than all of it: those are sign changes
    placed = next(r for r in rows if r["value"] is not None)
    assert placed["comparators"]["n"] == len(with_value)
    assert placed["comparators"]["median"] == pytest.approx(rules.quantile(with_value, 0.5))


def test_negative_net_revenue_expenditure_says_why_there_is_no_ratio(result_2018):
    # Spelthorne's 2017-18 net revenue expenditure (RS line 805) is published as -2757.
    spelthorne = _by_code(result_2018)["E07000213"]
    for ind in ("usable_reserves_pct_nre", "unallocated_pct_nre", "earmarked_pct_nre",
                "council_tax_pct_nre"):
        got = _indicator(spelthorne, ind)
        assert got["band"] == rules.NOT_MEANINGFUL and got["value"] is None
        assert got["comparator_position"] == ("net revenue expenditure in 2017-18 is negative "
                                              "(\u2212£2.8m), so a percentage of it is not "
                                              "meaningful")
        assert "not enough data" not in got["explanation"]
    # Its other indicators are still judged.
    assert spelthorne["status"] == "assessed"
    assert _indicator(spelthorne, "reserves_sustainability")["band"] in (
        rules.HIGHER, rules.SOME, rules.LOWER)


def test_every_change_explanation_names_the_missing_years_it_spans(result_2018):
    spans = 0
    for c in result_2018["councils"]:
        for r in c["indicators"]:
            span = r.get("span")
            if r["band"] in (rules.HIGHER, rules.SOME, rules.LOWER) and span:
                spans += 1
                assert f"over {span['text']}" in r["explanation"]
                for year in span["missing"]:
                    assert year in r["explanation"]
    assert spans > 1000
    # Since the second bundle every RS year is loaded: no year is missing from a span.
    north = _by_code(result_2018)["E10000021"]
    hood = _indicator(north, "neighbourhood_spend_change_pct")
    assert "over 2014-15 to 2017-18 (3 years)" in hood["explanation"]
    ratio = _indicator(north, "usable_reserves_pct_nre")
    assert ratio["latest_step"] == {"from": "2016-17", "to": "2017-18", "missing": [],
                                    "text": "2016-17 to 2017-18"}
