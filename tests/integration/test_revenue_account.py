"""Revenue Account budgets (RA) 2015-16 to 2021-22 and 2023-24 part 1 on the real files, and the
budget beside the outturn. Spot values were read from the files in raw/revenue_account_ra/
(sheet!cell beside each); Kent is E-code E2221."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wholeplace.errors import InputError, ValidationError
from wholeplace.hub.budgets import budget_vs_outturn, latest_budget
from wholeplace.hub.load import load_registered
from wholeplace.hub.registry import registry
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file

RA = [s for s in registry() if s.startswith("ra_")]
KENT = "E10000016"

SPOTS = [
    ("2015-16", "ra.nce.adult_social_care", 368704.0),  # RA LA Data 2015-16 (1)!BC151
    ("2015-16", "ra.net_revenue_expenditure", 907519.0),  # RA LA Data 2015-16 (1)!GC151
    ("2015-16", "ra.reserves.unallocated.end", 37213.0),  # RA LA Data 2015-16 (2)!GR151
    ("2017-18", "ra.council_tax_requirement", 620527.0),  # RA LA Data 2017-18!GR150
    ("2017-18", "ra.reserves.unallocated.end", 41134.0),  # RA LA Data 2017-18!GZ150
    ("2019-20", "ra.nce.adult_social_care", 461368.0),  # RA LA Data 2019-20!BD143
    ("2020-21", "ra.council_tax_requirement", 749443.0),  # RA LA Data 2020-21!GV139
    ("2021-22", "ra.nce.adult_social_care", 508911.0),  # RA_LA_Data_2021-22!BF139
    ("2021-22", "ra.reserves.unallocated.end", 51054.0),  # RA_LA_Data_2021-22!HG139
    # RA_2023-24_part1_budget_by_LA.csv, line 187 (Kent), columns BG and HH, '623,684' as
    # printed with a thousands separator
    ("2023-24", "ra.nce.adult_social_care", 623684.0),
    ("2023-24", "ra.council_tax_requirement", 876779.0),
]


@pytest.fixture(scope="module")
def ra_db(register_db, sources_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ra") / "ra.duckdb"
    shutil.copy(register_db, path)
    with open_store(path) as store:
        results = load_registered(store, sources_dir,
                                  only=["la_register", *RA, "rs_2021_22", "rs_2017_18"])
        assert {r.source_id for r in results if r.status == "loaded"} >= set(RA)
    return path


@pytest.fixture
def store(ra_db):
    with open_store(ra_db, read_only=True) as s:
        yield s


@pytest.mark.parametrize("period, indicator, expected", SPOTS)
def test_kent_budget_spot_values(store, period, indicator, expected):
    row = store.row("SELECT value, status FROM observations WHERE indicator_id = ? AND "
                    "area_code = ? AND period = ?", [indicator, KENT, period])
    assert row["value"] == pytest.approx(expected) and row["status"] == "published"


@pytest.mark.parametrize("period, councils", [("2015-16", 353), ("2019-20", 343),
                                              ("2021-22", 333), ("2023-24", 317)])
def test_every_council_has_a_budget(store, period, councils):
    n = store.scalar(
        "SELECT count(DISTINCT o.area_code) FROM observations o JOIN places p "
        "ON p.gss_code = o.area_code WHERE o.period = ? AND o.indicator_id = "
        "'ra.council_tax_requirement' AND p.tier NOT IN ('combined', 'strategic')", [period])
    assert n == councils


def test_part1_has_no_reserves_and_nre_stops_in_2017(store):
    ids = {r["indicator_id"] for r in store.rows(
        "SELECT DISTINCT indicator_id FROM observations WHERE period = '2023-24'")}
    assert not any(".reserves." in i for i in ids)
    for period, has in [("2017-18", True), ("2018-19", False)]:
        n = store.scalar("SELECT count(*) FROM observations WHERE period = ? AND "
                         "indicator_id = 'ra.net_revenue_expenditure'", [period])
        assert (n > 0) == has


def test_budget_beside_outturn(store):
    found = budget_vs_outturn(store, KENT, 2021)
    asc = next(r for r in found["lines"] if r["line"] == "nce.adult_social_care")
    # RA_LA_Data_2021-22!BF139 against RS_LA_Data_2021-22!J196
    assert (asc["budget"], asc["outturn"]) == (508911.0, 557555.0)
    assert asc["difference"] == 48644.0
    nre = next(r for r in found["lines"] if r["line"] == "net_revenue_expenditure")
    assert nre["budget"] is None and nre["difference"] is None  # no RA line 905 in 2021-22


def test_latest_budget(store):
    found = latest_budget(store, KENT)
    assert found["period"] == "2023-24" and str(found["released_on"]) == "2023-06-22"
    ctr = next(r for r in found["lines"] if r["indicator"] == "ra.council_tax_requirement")
    assert ctr["value"] == 876779.0
    with pytest.raises(InputError, match="No budget"):
        latest_budget(store, "E99999999")


def test_a_file_without_an_expected_line_is_refused_and_changes_nothing(
        register_store, sources_dir, tmp_path):
    text = (sources_dir / registry()["ra_2023_24_part1"].path).read_bytes().decode("cp1252")
    broken = tmp_path / "RA_part1_broken.csv"
    broken.write_bytes(text.replace("TOTAL ADULT SOCIAL CARE", "ADULT CARE", 1)
                       .encode("cp1252"))
    before = register_store.snapshot()
    with pytest.raises(ValidationError) as err:
        load_file(register_store, broken, source_id="ra_broken", loader="ra_csv",
                  publisher="DLUHC", options={"year": 2023, "part1": True})
    assert "RA_part1_broken.csv" in str(err.value)
    assert "ra.nce.adult_social_care" in str(err.value)
    assert register_store.snapshot() == before
