"""Whole-place spend on the real loaded hub (every registered source), checked against the
published RS 2017-18 figures and the ONS mid-2017 populations (MYE23's MYE4, the same year as
2017-18 starts).

RS 2017-18 figures (£ thousand) from 'RS LA Data 2017-18': Cambridge City Council (E0531, row
210, total service expenditure 24,384), Cambridgeshire County Council (E0521, row 8: 629,189;
education 278,639), Cambridgeshire and Peterborough Combined Authority (E6356, row 379: 6,741),
the Greater London Authority (E5100, row 175: police 2,962,650, fire 364,707, total 4,851,942)
and the Greater Manchester Combined Authority (E6348, row 138: total 254,783, fire 86,642).
2014-15: Cambridge's total service expenditure, 'RS LA Data 2014-15 (1)' row 29 column T: 20,265.
"""

from __future__ import annotations

import json
import re
import statistics

import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.errors import InputError, NotFoundError
from wholeplace.insight.spend.compare import compare_spend
from wholeplace.insight.spend.wholeplace import COMPARABLE_TOTAL, TOTAL, place_spend


def population(store, code, year="mid-2017"):
    return store.scalar("SELECT value FROM current_observations WHERE indicator_id = "
                        "'population.all_ages' AND area_code = ? AND period = ?", [code, year])


def areas_population(store, codes):
    return sum(population(store, c) for c in codes)


def line(result, line_id):
    return next(r for r in result["lines"] + result["totals"] if r["id"] == line_id)


def cell(row, code):
    return next(c for c in row["tiers"] if c["code"] == code)


CPCA_AREAS = ["E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031"]
GM_AREAS = [f"E080000{n:02d}" for n in range(1, 11)]


def test_cambridge_2017_18_three_tiers(loaded_store):
    got = place_spend(loaded_store, "E07000008", 2017)
    assert [t["code"] for t in got["tiers"]] == ["E07000008", "E10000003", "E47000008"]
    assert got["population"]["label"] == "mid-2017"
    cam = population(loaded_store, "E07000008")
    cambs = population(loaded_store, "E10000003")
    cpca = areas_population(loaded_store, CPCA_AREAS)
    total = line(got, TOTAL.id)
    manual = 24384 * 1000 / cam + 629189 * 1000 / cambs + 6741 * 1000 / cpca
    assert total["total_per_head"] == pytest.approx(manual)
    assert cell(total, "E10000003")["apportioned_gbp_thousands"] == pytest.approx(
        629189 * cam / cambs)
    edu = line(got, "rs.nce.education")
    assert cell(edu, "E10000003")["per_head"] == pytest.approx(278639 * 1000 / cambs)
    # The county's per head here is the hub's own per-head value for the county.
    hub = loaded_store.scalar("SELECT value FROM current_observations WHERE indicator_id = "
                              "'rs.nce.education.per_head' AND area_code = 'E10000003' "
                              "AND period = '2017-18'")
    assert cell(edu, "E10000003")["per_head"] == pytest.approx(hub)
    assert any("apportioned by population" in n for n in got["notes"])
    assert any("Parish" in n for n in got["not_included"])


def test_london_borough_with_the_gla(loaded_store):
    got = place_spend(loaded_store, "E09000007", 2017)  # Camden
    assert [t["code"] for t in got["tiers"]] == ["E09000007", "E61000001"]
    london = loaded_store.scalar(
        "SELECT sum(o.value) FROM current_observations o JOIN places p ON p.gss_code = "
        "o.area_code WHERE p.combined_authority_gss = 'E61000001' AND o.period = 'mid-2017' "
        "AND o.indicator_id = 'population.all_ages'")
    gla = next(t for t in got["tiers"] if t["code"] == "E61000001")
    assert gla["population"] == pytest.approx(london) and gla["population_members"] == 33
    police = line(got, "rs.nce.police")
    assert cell(police, "E61000001")["per_head"] == pytest.approx(2962650 * 1000 / london)
    comparable = line(got, COMPARABLE_TOTAL.id)
    assert cell(comparable, "E61000001")["per_head"] == pytest.approx(
        (4851942 - 2962650 - 364707) * 1000 / london)
    assert any("police spending here is reported by Greater London Authority" in n
               for n in got["notes"])


def test_metropolitan_district_with_gmca(loaded_store):
    got = place_spend(loaded_store, "E08000003", 2017)  # Manchester
    assert [t["code"] for t in got["tiers"]] == ["E08000003", "E47000001"]
    gm = areas_population(loaded_store, GM_AREAS)
    fire = line(got, "rs.nce.fire_rescue")
    assert cell(fire, "E47000001")["per_head"] == pytest.approx(86642 * 1000 / gm)
    total = line(got, TOTAL.id)
    own = loaded_store.scalar("SELECT value FROM current_observations WHERE indicator_id = ? "
                              "AND area_code = 'E08000003' AND period = '2017-18'", [TOTAL.id])
    manual = own * 1000 / population(loaded_store, "E08000003") + 254783 * 1000 / gm
    assert total["total_per_head"] == pytest.approx(manual)


def test_unitary_without_a_combined_authority(loaded_store):
    got = place_spend(loaded_store, "E06000052", 2017)  # Cornwall: a fire authority itself
    assert [t["code"] for t in got["tiers"]] == ["E06000052"]
    total = line(got, TOTAL.id)
    assert total["total_per_head"] == pytest.approx(cell(total, "E06000052")["per_head"])
    assert cell(line(got, "rs.nce.fire_rescue"), "E06000052")["cash_gbp_thousands"] > 0
    assert any("fire and rescue spending here is reported by Cornwall" in n
               for n in got["notes"])


def test_a_year_without_a_population_basis_says_so(loaded_store):
    # Forest Heath (abolished 2019): no estimate on its boundary is loaded for any year near
    got = place_spend(loaded_store, "E07000201", 2014)
    assert got["per_head_available"] is False and got["population"]["year"] is None
    assert "no population estimate within 3 years of this year (2014-15)" in \
        got["population"]["note"].lower()
    total = line(got, TOTAL.id)
    assert total["total_per_head"] is None and total["total_gbp_thousands"] is None


def test_2014_15_uses_the_same_years_population(loaded_store):
    got = place_spend(loaded_store, "E07000008", 2014)
    assert got["per_head_available"] is True and got["population"]["label"] == "mid-2014"
    total = line(got, TOTAL.id)
    assert cell(total, "E07000008")["cash_gbp_thousands"] == 20265  # as published
    # No row for the combined authority in 2014-15: unknown, never 0.
    assert next(t for t in got["tiers"] if t["code"] == "E47000008")["status"] == "no_figures"


def test_a_suppressed_council_makes_the_total_missing(loaded_store):
    got = place_spend(loaded_store, "E07000029", 2017)  # Copeland: published as '…'
    total = line(got, TOTAL.id)
    assert cell(total, "E07000029")["cash_gbp_thousands"] is None
    assert total["total_per_head"] is None and total["lacks"] == ["Copeland"]
    assert total["known_per_head"] == pytest.approx(cell(total, "E10000006")["per_head"])


def test_a_county_gives_each_district(loaded_store):
    got = place_spend(loaded_store, "E10000003", 2017)
    assert got["kind"] == "county"
    assert [a["area"]["gss_code"] for a in got["areas"]] == CPCA_AREAS[:5]


def test_combined_authority_and_unknown_year_are_refused(loaded_store):
    with pytest.raises(InputError, match="not a council area"):
        place_spend(loaded_store, "E47000001", 2017)
    # RS is loaded for 2010-11 to 2023-24: 2024-25 is not published yet
    with pytest.raises(NotFoundError, match="2024-25. Years loaded: 2010-11, .*, 2023-24\\."):
        place_spend(loaded_store, "E07000008", 2024)


def test_national_comparison(loaded_store):
    got = compare_spend(loaded_store, "E07000008", 2017, "national")
    codes = [m["code"] for m in got["members"]]
    assert "E07000008" not in codes and "E07000009" in codes
    kinds = {r["la_type"] for r in loaded_store.rows(
        "SELECT DISTINCT la_type FROM places WHERE gss_code IN "
        f"({', '.join('?' * len(codes))})", codes)}
    assert kinds == {"shire district"}
    row = next(r for r in got["lines"] if r["id"] == COMPARABLE_TOTAL.id)
    known = [m["total_per_head"] for m in got["members"] if m["total_per_head"] is not None]
    assert row["n"] == len(known) and row["median"] == pytest.approx(statistics.median(known))
    assert "E07000029" in row["unknown"]  # Copeland: unknown, left out, not 0
    assert "rank" not in row and got["rank"] is False  # no rank unless asked for
    assert not any("Rank" in n for n in got["notes"])


def test_ranks_on_request_share_a_range_when_tied(loaded_store):
    got = compare_spend(loaded_store, "E07000008", 2017, "national", rank=True)
    assert got["rank"] is True
    rows = {r["id"]: r for r in got["lines"]}
    known = [m["total_per_head"] for m in got["members"] if m["total_per_head"] is not None]
    total = rows[COMPARABLE_TOTAL.id]
    assert total["rank"]["best"] == 1 + sum(1 for v in known if v > total["value"])
    assert total["rank"]["of"] == len(known) + 1
    # The five Cambridgeshire districts share the county's education spend per head: a range.
    education = rows["rs.nce.education"]["rank"]
    assert education["worst"] - education["best"] == 4
    assert education["label"].startswith("joint ")
    # No shire district reports police spending other than 0: no rank, never "1 of 188".
    police = rows["rs.nce.police"]
    assert police["value"] == police["min"] == police["max"] == 0
    assert police["rank"]["best"] is None
    assert police["rank"]["reason"] == f"all {police['n'] + 1} areas have the same value"


def test_region_comparison(loaded_store):
    got = compare_spend(loaded_store, "E09000007", 2017, "region")
    region = {r["region"] for r in loaded_store.rows(
        "SELECT region FROM places WHERE gss_code IN "
        f"({', '.join('?' * len(got['members']))})", [m["code"] for m in got["members"]])}
    assert region == {"London"} and len(got["members"]) >= 30


# -- the command ---------------------------------------------------------------------------
runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, ["--db", str(db), "spend", *args])


def test_cli_text_and_json(loaded_db):
    result = run(loaded_db, "E07000008", "--year", "2017")
    assert result.exit_code == 0, result.output
    for expected in ("Whole-place spend in Cambridge City Council (E07000008), 2017-18",
                     "Cambridgeshire and Peterborough Combined Authority (E47000008)",
                     "Total excluding police and fire", "Not included:"):
        assert expected in result.stdout
    data = json.loads(run(loaded_db, "E07000008", "--year", "2017", "--json").stdout)
    assert data["comparison"] is None and data["spend"]["population"]["label"] == "mid-2017"


def test_cli_compare_and_errors(loaded_db):
    result = run(loaded_db, "E08000003", "--year", "2017", "--compare", "national")
    assert result.exit_code == 0, result.output
    assert "Compared with metropolitan district areas in England" in result.stdout
    assert "Rank" not in result.stdout and "highest of" not in result.stdout
    no_group = run(loaded_db, "E07000008", "--year", "2017", "--rank")
    assert no_group.exit_code == 1 and "add --compare METHOD" in no_group.output
    bad = run(loaded_db, "E47000001", "--year", "2017")
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "not a council area" in bad.output
    old = run(loaded_db, "E07000201", "--year", "2014")
    assert old.exit_code == 0 and "No population estimate within 3 years" in old.stdout


def test_cli_rank_columns_never_run_together(loaded_db):
    result = run(loaded_db, "E07000008", "--year", "2017", "--compare", "national", "--rank")
    assert result.exit_code == 0, result.output
    table = result.stdout.split("£ per head:\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    head, rows = table[0], {line.split("  ")[0]: line for line in table[1:]}
    assert "Rank (by spend, highest first)" in head
    assert "joint 162nd to 166th highest of 188" in rows["Education"]
    assert "none (all 188 areas have the same value)" in rows["Police"]
    # Every figure is separated from the next by at least two spaces.
    figures = re.compile(r"-?[\d,]+\.\d\d")
    for line in table[1:]:
        for match in figures.finditer(line):
            after = line[match.end():match.end() + 2]
            assert after in ("  ", ""), f"a figure runs into the next column: {line!r}"
    numbers = figures.findall(rows["Education"])
    assert len(numbers) == 4  # here, lower quartile, median, upper quartile
