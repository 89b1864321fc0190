"""Comparator groups on the real published data (a real DuckDB file per module)."""

from __future__ import annotations

import pytest

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
from wholeplace.insight.peers.context import read_context
from wholeplace.insight.peers.groups import (
    METHODS, all_ours_groups, cipfa_overlap, cipfa_sets, comparator_group)

NEEDED = ["la_register", "lsoa11_lookup", "population_mye", "imd2019_la", "imd2019_la23",
          "imd2019_lsoa", "cipfa_nearest_neighbours", "ctb_2022"]
CAMBRIDGE, BRISTOL, KENT, CAMDEN = "E07000008", "E06000023", "E10000016", "E09000007"
CUMBERLAND = "E06000063"


@pytest.fixture(scope="module")
def hub(tmp_path_factory, sources_dir):
    """Only the sources comparator groups read (the revenue outturn loaders are not needed)."""
    path = tmp_path_factory.mktemp("cmp") / "hub.duckdb"
    with open_store(path) as store:
        load_registered(store, sources_dir, only=NEEDED)
    with open_store(path, read_only=True) as store:
        yield store


def test_cambridge_has_fifteen_shire_district_neighbours_with_reasons(hub):
    g = comparator_group(hub, CAMBRIDGE)
    assert g.method == "ours" and g.subject["kind"] == "shire_district"
    assert len(g.members) == 15 and CAMBRIDGE not in g.codes()
    assert all(m.la_type == "shire district" for m in g.members)
    assert [m.rank for m in g.members] == list(range(1, 16))
    distances = [m.distance for m in g.members]
    assert distances == sorted(distances) and distances[0] > 0
    assert all(m.reasons and m.reasons.startswith("Similar") for m in g.members)
    assert g.members[0].code == "E07000178"  # Oxford: the other small, dense university city
    assert "population density" in g.members[0].reasons
    assert "area_km2" in " ".join(g.notes)


@pytest.mark.parametrize("code", [CAMBRIDGE, BRISTOL, CUMBERLAND, KENT, CAMDEN])
@pytest.mark.parametrize("method", [m for m in METHODS if m != "custom"])
def test_every_method_gives_the_same_shape(hub, code, method):
    if method == "county" and code != CAMBRIDGE:
        with pytest.raises(InputError, match="not a shire district"):
            comparator_group(hub, code, method)
        return
    g = comparator_group(hub, code, method)
    d = g.to_dict()
    assert set(d) == {"group_id", "method", "label", "description", "subject", "members",
                      "notes"}
    assert d["group_id"] == f"{method}:{code}" and d["subject"]["code"] == code
    assert code not in g.codes() and g.label and g.description
    if method == "cipfa" and code == CUMBERLAND:  # created in 2023, after the published sets
        assert g.members == [] and "no published CIPFA set" in " ".join(g.notes)
    else:
        assert g.members
    if method == "cipfa":
        assert "licen" in g.description and "sorted by code" in g.description
        assert all(m.rank is None for m in g.members)


def test_custom_group_checks_codes(hub):
    g = comparator_group(hub, CAMBRIDGE, "custom",
                         members=["E07000012", "e07000009", CAMBRIDGE, "E10000003"])
    assert sorted(g.codes()) == ["E07000009", "E07000012", "E10000003"]
    assert g.members[0].distance is not None
    county = next(m for m in g.members if m.code == "E10000003")
    assert county.distance is None and "not one of the shire districts" in county.notes[0]
    with pytest.raises(InputError, match="not in the place register: E07999999, E0BAD"):
        comparator_group(hub, CAMBRIDGE, "custom", members=["E07000012", "E07999999", "E0BAD"])
    with pytest.raises(InputError, match="needs a list"):
        comparator_group(hub, CAMBRIDGE, "custom", members=[])
    with pytest.raises(InputError, match="only used by the 'custom' method"):
        comparator_group(hub, CAMBRIDGE, "region", members=["E07000012"])


def test_unknown_council_method_and_universe(hub):
    with pytest.raises(NotFoundError):
        comparator_group(hub, "E07999999")
    with pytest.raises(InputError, match="Unknown comparator method"):
        comparator_group(hub, CAMBRIDGE, "nearest")
    with pytest.raises(InputError, match="universe='lad2021'"):
        comparator_group(hub, "E07000026")  # Allerdale, abolished 2023
    g = comparator_group(hub, "E07000026", settings={"universe": "lad2021"})
    assert len(g.members) == 15 and all(m.la_type == "shire district" for m in g.members)


def test_universes_follow_the_register(hub):
    current = read_context(hub, "current", 2021)
    lad2021 = read_context(hub, "lad2021", 2021)
    assert len(current.councils) == 317 and len(lad2021.councils) == 333
    assert CUMBERLAND in current.by_code() and CUMBERLAND not in lad2021.by_code()
    assert "E10000006" in lad2021.by_code()  # Cumbria County Council
    # The lad2021 universe is exactly the geography of the published sets.
    sets = cipfa_sets(hub)
    assert set(sets) | {"E06000053", "E09000001"} == set(lad2021.by_code())


def test_2023_unitary_population_is_the_sum_of_its_predecessor_districts(hub):
    cumberland = read_context(hub, "current", 2021).by_code()[CUMBERLAND]
    expected = hub.scalar(
        "SELECT sum(value) FROM current_observations WHERE indicator_id = "
        "'population.all_ages' AND period = 'mid-2021' AND area_code IN (?, ?, ?)",
        ["E07000026", "E07000028", "E07000029"])  # Allerdale, Carlisle, Copeland
    assert cumberland.values["pop"] == expected > 250_000
    assert cumberland.population_basis == "sum of 3 predecessor districts"
    assert cumberland.imd_basis == "lad23"
    g = comparator_group(hub, CUMBERLAND)
    assert "population summed from its 3 predecessor districts" in g.members[0].reasons


def test_county_population_sums_match_the_published_county_totals(hub):
    """Where ONS publishes a county total (mid-2020), it equals the sum of the districts."""
    published = {c.code: c.values["pop"] for c in read_context(hub, "lad2021", 2020).councils
                 if c.tier == "upper"}
    context = read_context(hub, "lad2021", 2020)
    sums: dict[str, float] = {}
    for c in context.councils:
        if c.tier == "lower":
            sums[c.parent_county] = sums.get(c.parent_county, 0.0) + c.values["pop"]
    assert len(published) == 24
    assert all(sums[code] == value for code, value in published.items())
    kent = read_context(hub, "current", 2021).by_code()[KENT]
    assert kent.population_basis == "sum of 12 districts"


def test_the_tax_base_per_dwelling_is_read_and_summed_for_counties(hub):
    """CTB 2022: a billing authority's own Band D equivalents and chargeable dwellings; a county
    (and a 2023 unitary) the sums over its districts (or predecessor districts)."""
    context = read_context(hub, "lad2021", 2021).by_code()
    cambridge = context[CAMBRIDGE].values
    assert (cambridge["tax_base"], cambridge["dwellings"]) == (50296.3, 55488.0)
    districts = [c for c in context.values() if c.parent_county == "E10000003"]
    assert len(districts) == 5
    county = context["E10000003"].values
    assert county["dwellings"] == sum(d.values["dwellings"] for d in districts)
    assert county["tax_base"] == pytest.approx(sum(d.values["tax_base"] for d in districts))
    current = read_context(hub, "current", 2021).by_code()
    assert all(c.values["tax_base"] is not None for c in current.values())
    assert current[CUMBERLAND].values["dwellings"] > 0  # its predecessor districts' sum
    g = comparator_group(hub, CAMBRIDGE, "ours")
    assert "council tax base per dwelling" in g.description


def test_derived_county_deprivation_reproduces_an_lsoa_reaggregation(hub):
    """North Yorkshire and Somerset counties (2021) cover exactly the 2023 unitaries' areas.

    Our county score (population-weighted mean of official district scores) should match the
    independent LSOA-level re-aggregation of the same area (imd2019_lad23) closely.
    """
    counties = read_context(hub, "lad2021", 2021).by_code()
    unitaries = read_context(hub, "current", 2021).by_code()
    for county, unitary in (("E10000023", "E06000065"), ("E10000027", "E06000066")):
        assert counties[county].imd_basis.startswith("mean of")
        for var in ("imd_score", "barriers_score", "living_environment_score"):
            assert counties[county].values[var] == pytest.approx(
                unitaries[unitary].values[var], abs=0.1)


def test_outliers_are_in_nobodys_group(hub):
    groups = all_ours_groups(read_context(hub, "current", 2021))
    for code, g in groups.items():
        assert "E06000053" not in g.codes() and "E09000001" not in g.codes()
        assert len(g.members) == 15 and code not in g.codes()
        kinds = {g.subject["kind"]}
        assert {groups[m].subject["kind"] for m in g.codes()} == kinds
    assert any("outlier" in n for n in groups["E09000001"].notes)


def test_overlap_with_cipfa_is_far_above_chance(hub):
    """Floor: 0.55 overall (the tuned weights reach 0.63; a margin for ties and data updates)
    and at least three times the overlap of random same-kind groups (about 0.18), and every kind
    above its own random baseline."""
    context = read_context(hub, "lad2021", 2021)
    result = cipfa_overlap(all_ours_groups(context, {"universe": "lad2021"}), cipfa_sets(hub))
    assert result["councils"] == 331  # every council with a published set
    assert result["mean_overlap"] >= 0.55
    assert result["mean_overlap"] >= 3 * result["random_expected"]
    assert result["random_expected"] == pytest.approx(0.185, abs=0.01)
    for kind, k in result["by_kind"].items():
        assert k["mean_overlap"] > k["random_expected"] + 0.2, kind
