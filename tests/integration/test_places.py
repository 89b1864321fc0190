"""Place queries and service responsibilities on the real place register (a real DuckDB file)."""

from __future__ import annotations

import pytest

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import open_store
from wholeplace.places import queries
from wholeplace.places.services import who_delivers


@pytest.fixture
def store(register_db):
    with open_store(register_db, read_only=True) as s:
        yield s


def codes(rows):
    return [r["gss_code"] for r in rows]


def services_of(store, code):
    return {r["service_id"]: r for r in who_delivers(store, code)}


def test_find_ranks_exact_then_prefix_then_substring(store):
    found = queries.find_places(store, "cambridge")
    assert found[0]["gss_code"] == "E07000008"
    assert found[0]["match"] == "exact"
    got = codes(found)
    assert got.index("E10000003") < got.index("E07000012")  # county before South Cambs
    assert {r["match"] for r in found[1:]} <= {"prefix", "substring"}
    assert [r["match"] for r in found] == sorted(
        (r["match"] for r in found), key=["exact", "prefix", "substring"].index)


def test_find_by_code_and_by_official_name_case_insensitive(store):
    assert codes(queries.find_places(store, "e07000008")) == ["E07000008"]
    assert codes(queries.find_places(store, "CAMBRIDGE CITY COUNCIL")) == ["E07000008"]


def test_find_escapes_like_wildcards(store):
    assert queries.find_places(store, "%") == []
    assert queries.find_places(store, "_ambridge") == []


def test_find_current_only_leaves_out_former_authorities(store):
    assert queries.find_places(store, "Aylesbury") == []
    former = queries.find_places(store, "Aylesbury", current_only=False)
    assert codes(former) == ["E07000004"]


def test_get_place_unknown_code_suggests_search_and_close_names(store):
    with pytest.raises(NotFoundError) as err:
        queries.get_place(store, "E07000999")
    assert "wholeplace place NAME" in str(err.value)
    assert "closest" in str(err.value)


def test_recoded_code_returns_the_current_place_with_a_note(store):
    p = queries.get_place(store, "E06000048")
    assert p["gss_code"] == "E06000057"
    assert p["name"] == "Northumberland"
    assert "E06000048" in p["note"] and "E06000057" in p["note"]
    rows = services_of(store, "E06000048")
    assert rows["libraries"]["body_code"] == "E06000057"


def test_cambridge_is_served_by_district_county_and_combined_authority(store):
    s = queries.served_by(store, "E07000008")
    assert s["kind"] == "resident"
    assert [(c["gss_code"], c["la_type"]) for c in s["councils"]] == [
        ("E07000008", "shire district"), ("E10000003", "county council"),
        ("E47000008", "combined authority")]
    assert s["councils"][0]["official_name"] == "Cambridge City Council"
    assert s["region"] == "East of England"
    rows = services_of(store, "E07000008")
    assert rows["waste_collection"]["body_code"] == "E07000008"
    assert rows["adult_social_care"]["body_name"] == "Cambridgeshire County Council"
    assert rows["local_transport_planning"]["body_code"] == "E47000008"


def test_london_borough_is_served_by_itself_and_the_gla(store):
    s = queries.served_by(store, "E09000007")  # Camden
    assert codes(s["councils"]) == ["E09000007", "E61000001"]
    assert s["region"] == "London"
    rows = services_of(store, "E09000007")
    assert rows["education"]["body_code"] == "E09000007"
    assert rows["local_transport_planning"]["body_code"] == "E61000001"
    assert "London Fire Commissioner" in rows["fire_and_rescue"]["body_name"]


def test_metropolitan_district_in_greater_manchester(store):
    s = queries.served_by(store, "E08000003")  # Manchester
    assert codes(s["councils"]) == ["E08000003", "E47000001"]
    rows = services_of(store, "E08000003")
    assert rows["police"]["body_code"] == "E47000001"
    assert rows["housing_and_homelessness"]["body_code"] == "E08000003"


def test_unitary_without_combined_authority(store):
    s = queries.served_by(store, "E06000035")  # Medway
    assert codes(s["councils"]) == ["E06000035"]
    rows = services_of(store, "E06000035")
    assert rows["local_transport_planning"]["body_code"] == "E06000035"
    assert rows["police"]["body_code"] is None


def test_county_lists_its_districts(store):
    s = queries.served_by(store, "E10000003")
    assert s["kind"] == "county"
    assert codes(s["children"]) == ["E07000008", "E07000009", "E07000010", "E07000011",
                                    "E07000012"]
    rows = services_of(store, "E10000003")
    assert rows["education"]["body_code"] == "E10000003"
    assert rows["waste_collection"]["body_code"] is None
    assert "Huntingdonshire" in rows["waste_collection"]["body_name"]


def test_combined_authority_lists_its_members_and_has_no_single_service_answer(store):
    s = queries.served_by(store, "E47000001")
    assert s["kind"] == "combined"
    assert len(s["children"]) == 10
    assert "E08000003" in codes(queries.children(store, "E47000001"))
    with pytest.raises(InputError, match="member councils"):
        who_delivers(store, "E47000001")


def test_former_authority_names_its_successor_and_when(store):
    s = queries.served_by(store, "E07000004")  # Aylesbury Vale
    assert s["kind"] == "former"
    assert codes(s["successors"]) == ["E06000060"]
    assert "abolished" in s["summary"] and "2020-03-31" in s["summary"]
    assert "Buckinghamshire Council" in s["summary"]
    rows = services_of(store, "E07000004")
    assert rows["waste_collection"]["body_code"] == "E06000060"
    assert "abolished" in rows["waste_collection"]["note"]


def test_successors_are_followed_through_two_reorganisations(store):
    s = queries.served_by(store, "E07000190")  # Taunton Deane -> SW&T (2019) -> Somerset (2023)
    assert codes(s["successors"]) == ["E06000066"]


def test_councils_filters_and_counts(store):
    assert len(queries.councils(store)) == 332
    lower = queries.councils(store, tier="lower")
    assert len(lower) == 164 and {c["la_type"] for c in lower} == {"shire district"}
    london = queries.councils(store, region="london")
    assert {c["region"] for c in london} == {"London"}
    assert len(queries.councils(store, la_type="London borough")) == 32
    assert "East of England" in queries.regions(store)
    with pytest.raises(InputError, match="East of England"):
        queries.councils(store, region="Narnia")
    with pytest.raises(InputError):
        queries.councils(store, tier="top")


def test_former_combined_authority_code_is_not_read_as_todays_smaller_authority(store):
    """E47000005 was the seven-council North East CA; E47000010 has four members."""
    with pytest.raises(NotFoundError):
        queries.get_place(store, "E47000005")
    [later] = queries.successors(store, "E47000005")
    assert (later["gss_code"], later["relation"]) == ("E47000010", "split_into")
    members = queries.served_by(store, "E47000010")["children"]
    assert len(members) == 4
