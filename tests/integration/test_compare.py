"""compare_area on the real hub: every row has a band or a reason, intervals only where the data
gives numerators and denominators of a sample (never for a complete count), the group's and
England's values for the same period, sensitivity across the groups that exist, funnel data,
and ranks only on request."""

from __future__ import annotations

import csv
import shutil
import statistics

import pytest

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from wholeplace.insight.comparison import banding
from wholeplace.insight.comparison.compare import COMPLETE_COUNT, NO_VERDICT, VERDICTS, compare_area

CAMBRIDGE = "E07000008"
CAMBRIDGESHIRE = "E10000003"
KENT = "E10000016"
SHARE_65 = "population.share_65_plus"
#: The ONS counts behind SHARE_65, uploaded under an indicator whose metadata leaves ``interval``
#: at "auto": the published numerators and denominators as they are, read as if they were a
#: sample, so the interval, funnel and rank machinery runs on real counts.
SAMPLED = "fixture.share_65_plus_sampled"
SAMPLED_METADATA = f"""\
- id: {SAMPLED}
  title: "Fixture: share of residents aged 65 and over, read as a sample"
  unit: percent
  polarity: neutral
  kind: context
  interval: auto
"""


@pytest.fixture(scope="module")
def sampled_db(loaded_db, tmp_path_factory):
    """A copy of the loaded hub with SHARE_65's real counts uploaded as SAMPLED."""
    folder = tmp_path_factory.mktemp("sampled")
    path, data, meta = folder / "hub.duckdb", folder / "sampled.csv", folder / "sampled.yaml"
    shutil.copy(loaded_db, path)
    meta.write_text(SAMPLED_METADATA, encoding="utf-8")
    with open_store(path) as store:
        rows = store.rows("SELECT area_code, period, value, numerator, denominator FROM "
                          "current_observations WHERE indicator_id = ? AND value IS NOT NULL "
                          "ORDER BY area_code, period", [SHARE_65])
        with data.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(["area_code", "period", "indicator_id", "value", "numerator",
                          "denominator", "unit"])
            out.writerows([r["area_code"], r["period"], SAMPLED, repr(r["value"]),
                           repr(r["numerator"]), repr(r["denominator"]), "percent"]
                          for r in rows)
        load_file(store, data, metadata=meta)
        assert store.scalar("SELECT interval FROM indicators WHERE indicator_id = ?",
                            [SAMPLED]) == "auto"
    return path


@pytest.fixture
def sampled_store(sampled_db):
    with open_store(sampled_db, read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def cambridge(loaded_db):
    from wholeplace.hub.store import open_store

    with open_store(loaded_db, read_only=True) as store:
        return compare_area(store, CAMBRIDGE)


def by_id(result: dict) -> dict[str, dict]:
    return {r["indicator_id"]: r for r in result["indicators"]}


def test_every_indicator_row_has_a_band_or_a_reason(cambridge):
    assert len(cambridge["indicators"]) > 50
    for r in cambridge["indicators"]:
        for side in (r["group"]["band"], r["england"]["band"]):
            assert side["verdict"] in VERDICTS
            if side["verdict"] in NO_VERDICT:
                assert side["reason"], r["indicator_id"]
        if r["interval"]["lower"] is None:
            assert r["interval"]["reason"], r["indicator_id"]
            assert not r["group"]["band"]["significant_test"]
            assert "significan" not in r["group"]["band"]["band"]
    assert "rank" not in cambridge["indicators"][0]


def test_no_published_numerator_or_denominator_means_no_interval(loaded_store):
    # Cambridge sent no RO return for 2023-24 ('[x]'), so its latest published NRE is 2022-23
    got = compare_area(loaded_store, CAMBRIDGE, indicators=["rs.net_revenue_expenditure"],
                       period="2022-23")
    nre = by_id(got)["rs.net_revenue_expenditure"]
    assert nre["period"] == "2022-23" and nre["value"] > 0
    assert nre["interval"]["reason"] == "the published data gives no numerator or denominator"
    assert nre["group"]["band"]["verdict"] in (banding.ABOVE, banding.MIDDLE, banding.BELOW)


def test_group_values_are_the_members_values_for_the_same_period(cambridge, loaded_store):
    r = by_id(cambridge)["rs.net_revenue_expenditure"]
    members = [m["code"] for m in cambridge["group"]["members"]]
    assert [v["code"] for v in r["group"]["values"]] == members
    hub = dict(loaded_store.execute(
        "SELECT area_code, value FROM current_observations WHERE indicator_id = ? AND "
        "period = ? AND list_contains(?, area_code)",
        ["rs.net_revenue_expenditure", r["period"], members]).fetchall())
    assert {v["code"]: v["value"] for v in r["group"]["values"]} == \
        {c: hub.get(c) for c in members}
    present = [v for v in hub.values() if v is not None]
    assert r["group"]["n"] == len(present)
    assert r["group"]["median"] == pytest.approx(statistics.median(present))


def test_share_65_plus_is_a_complete_count_so_only_a_position(cambridge, loaded_store):
    r = by_id(cambridge)[SHARE_65]
    assert r["numerator"] is not None and r["denominator"] is not None  # published, yet:
    assert r["interval"]["lower"] is None and r["interval"]["reason"] == COMPLETE_COUNT
    assert r["interval"]["rule"] == "none"
    for band in (r["group"]["band"], r["england"]["band"], *r["sensitivity"]):
        assert band["verdict"] not in banding.SIGNIFICANCE_VERDICTS.values()
        assert "significan" not in band["band"]
    assert r["group"]["band"]["verdict"] in (banding.ABOVE, banding.MIDDLE, banding.BELOW)
    # England is still the pooled share (a true total of counts), but no funnel is drawn: its
    # limits are sampling variation, which a complete count does not have.
    assert r["england"]["basis"].startswith("pooled")
    assert r["funnel"] is None
    ranked = compare_area(loaded_store, CAMBRIDGE, indicators=[SHARE_65], rank=True)
    rank = ranked["indicators"][0]["rank"]
    assert rank["rank"] is None and rank["label"] == "not available"


def test_counts_read_as_a_sample_have_an_interval_and_funnel_data(sampled_store):
    r = by_id(compare_area(sampled_store, CAMBRIDGE, indicators=[SAMPLED]))[SAMPLED]
    iv = r["interval"]
    assert iv["rule"] == "auto"
    assert iv["method"] == "Wilson" and iv["lower"] < r["value"] < iv["upper"]
    assert r["group"]["band"]["significant_test"]
    assert r["group"]["band"]["band"] in ("significantly higher", "similar",
                                          "significantly lower")
    # England: pooled over every shire district with a value for the same mid-year.
    num, den = sampled_store.execute(
        "SELECT sum(o.numerator), sum(o.denominator) FROM current_observations o JOIN places p "
        "ON p.gss_code = o.area_code WHERE o.indicator_id = ? AND o.period = ? "
        "AND p.la_type = 'shire district' AND o.value IS NOT NULL",
        [SAMPLED, r["period"]]).fetchone()
    assert r["england"]["basis"].startswith("pooled")
    assert r["england"]["value"] == pytest.approx(num / den * 100)
    f = r["funnel"]
    assert sum(p["subject"] for p in f["points"]) == 1
    assert len(f["points"]) == r["england"]["n"]
    assert f["levels"] == [0.95, 0.998]
    assert [b["level"] for b in f["limits"]["bands"]] == [0.95, 0.998]
    assert all(lo <= f["baseline"] <= hi for lo, hi in zip(f["limits"]["bands"][1]["lower"],
                                                            f["limits"]["bands"][1]["upper"]))
    od = f["overdispersion"]
    assert od["overdispersed"] and od["tau2"] > 0  # population shares vary far beyond chance
    assert f["adjusted_limits"] is not None
    assert all(p["adjusted_significance"] for p in f["points"])


def test_sensitivity_has_one_entry_per_available_method(cambridge):
    assert cambridge["sensitivity"]["methods"] == ["ours", "cipfa", "region", "county"]
    assert "custom" in cambridge["unavailable_methods"]
    for r in cambridge["indicators"]:
        assert [s["method"] for s in r["sensitivity"]] == ["ours", "cipfa", "region", "county"]
        assert r["depends_on_group"] == banding.depends_on_group(
            s["verdict"] for s in r["sensitivity"])
    assert set(cambridge["sensitivity"]["depends_on_group"]) == {
        r["indicator_id"] for r in cambridge["indicators"] if r["depends_on_group"]}


def test_oflog_indicators_of_an_upper_tier_council_against_its_group(loaded_store):
    result = compare_area(loaded_store, CAMBRIDGESHIRE)
    assert result["council"]["kind"] == "county"
    assert result["sensitivity"]["methods"] == ["ours", "cipfa", "region"]
    assert "shire districts" in result["unavailable_methods"]["county"]
    oflog = [r for r in result["indicators"] if r["indicator_id"].startswith("oflog.")]
    assert len(oflog) == 7
    for r in oflog:
        assert r["interval"]["reason"] == "the published data gives no numerator or denominator"
        assert r["group"]["n"] >= banding.MIN_COMPARATORS
        assert r["group"]["band"]["verdict"] in (banding.ABOVE, banding.MIDDLE, banding.BELOW)
        assert r["england"]["basis"] == "median of the councils' values"
        assert r["group"]["q1"] <= r["group"]["median"] <= r["group"]["q3"]


def test_rank_only_when_asked_and_with_its_uncertainty(sampled_store):
    plain = compare_area(sampled_store, CAMBRIDGESHIRE, indicators=[SAMPLED])
    assert "rank" not in plain["indicators"][0]
    ranked = compare_area(sampled_store, CAMBRIDGESHIRE, indicators=[SAMPLED,
                          "oflog.asc5_short_term_service_outcome"], rank=True)
    rows = by_id(ranked)
    rank = rows[SAMPLED]["rank"]
    assert rank["rank"] is not None and rank["best_rank"] <= rank["rank"] <= rank["worst_rank"]
    assert "could be anywhere from" in rank["label"]
    no = rows["oflog.asc5_short_term_service_outcome"]["rank"]
    assert no["rank"] is None and no["label"] == "not available" and no["reason"]


def test_missing_values_say_not_available(loaded_store):
    # Kent's 2019-20 ASC2 was published as 0 on a 0-1 quality scale: stored as missing.
    result = compare_area(loaded_store, KENT, indicators=["oflog.asc2_quality_of_life"],
                          period="2019-20")
    r = result["indicators"][0]
    assert r["value"] is None and r["status"] == "missing"
    assert r["group"]["band"]["band"] == "not available"
    assert "missing" in r["group"]["band"]["reason"]
    assert r["interval"]["lower"] is None
    # A district has no Oflog adult social care values at all.
    got = compare_area(loaded_store, CAMBRIDGE, indicators=["oflog.asc2_quality_of_life"])
    row = got["indicators"][0]
    assert row["value"] is None and row["group"]["band"]["band"] == "not available"


def test_a_given_period_is_compared_for_the_group_too(loaded_store):
    result = compare_area(loaded_store, CAMBRIDGE, indicators=["rs.net_revenue_expenditure"],
                          period="2012/13")
    r = result["indicators"][0]
    assert result["period"] == r["period"] == "2012-13"
    assert r["group"]["n"] >= banding.MIN_COMPARATORS


def test_custom_group_is_one_more_sensitivity_method(loaded_store):
    members = ["E07000009", "E07000010", "E07000011", "E07000012", "E07000178", "E07000041"]
    result = compare_area(loaded_store, CAMBRIDGE, method="custom", members=members,
                          indicators=[SHARE_65])
    assert result["group"]["method"] == "custom"
    assert result["sensitivity"]["methods"][-1] == "custom"
    assert result["indicators"][0]["group"]["n"] == len(members)


def test_errors_say_what_to_do(loaded_store):
    with pytest.raises(NotFoundError, match="wholeplace indicators"):
        compare_area(loaded_store, CAMBRIDGE, indicators=["no.such.indicator"])
    with pytest.raises(InputError, match="not a shire district"):
        compare_area(loaded_store, CAMBRIDGESHIRE, method="county")
    with pytest.raises(NotFoundError):
        compare_area(loaded_store, "E07999999")
    with pytest.raises(InputError):
        compare_area(loaded_store, CAMBRIDGE, confidence=1.5)
