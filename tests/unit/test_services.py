"""The service responsibility rules, evaluated on place dicts (pure: no database).

The places are rows of the real register (la_register.csv), written out as the store returns them.
"""

from __future__ import annotations

import pytest

from wholeplace.errors import InputError
from wholeplace.places.services import delivery, parse_services, services


def place(code, name, official, la_type, tier, county=None, ca=None, region=None):
    return {"gss_code": code, "name": name, "official_name": official, "la_type": la_type,
            "tier": tier, "current": True, "parent_county_gss": county,
            "combined_authority_gss": ca, "region": region}


CAMBRIDGE = place("E07000008", "Cambridge", "Cambridge City Council", "shire district", "lower",
                  county="E10000003", ca="E47000008", region="East of England")
CAMBS = place("E10000003", "Cambridgeshire", "Cambridgeshire County Council", "county council",
              "upper", ca="E47000008", region="East of England")
CPCA = place("E47000008", "Cambridgeshire and Peterborough",
             "Cambridgeshire and Peterborough Combined Authority", "combined authority",
             "combined", region="East of England")
MAIDSTONE = place("E07000110", "Maidstone", "Maidstone Borough Council", "shire district",
                  "lower", county="E10000016", region="South East")
KENT = place("E10000016", "Kent", "Kent County Council", "county council", "upper",
             region="South East")
MEDWAY = place("E06000035", "Medway", "Medway Council", "unitary", "single", region="South East")
SCILLY = place("E06000053", "Isles of Scilly", "Council of the Isles of Scilly",
               "Isles of Scilly", "single", region="South West")
MANCHESTER = place("E08000003", "Manchester", "Manchester City Council",
                   "metropolitan district", "single", ca="E47000001", region="North West")
GMCA = place("E47000001", "Greater Manchester", "Greater Manchester Combined Authority",
             "combined authority", "combined", region="North West")
LEEDS = place("E08000035", "Leeds", "Leeds City Council", "metropolitan district", "single",
              ca="E47000003", region="Yorkshire and The Humber")
WYCA = place("E47000003", "West Yorkshire", "West Yorkshire Combined Authority",
             "combined authority", "combined", region="Yorkshire and The Humber")
CAMDEN = place("E09000007", "Camden", "London Borough of Camden", "London borough", "single",
               ca="E61000001", region="London")
CITY = place("E09000001", "City of London", "City of London Corporation", "City of London",
             "single", ca="E61000001", region="London")
GLA = place("E61000001", "Greater London", "Greater London Authority",
            "strategic authority (GLA)", "strategic", region="London")

REQUIRED = {"waste_collection", "waste_disposal", "adult_social_care", "childrens_social_care",
            "education", "public_health", "highways", "local_transport_planning",
            "planning_applications", "minerals_and_waste_planning", "housing_and_homelessness",
            "council_tax_and_benefits", "libraries", "trading_standards",
            "environmental_health", "licensing", "parks_and_leisure", "fire_and_rescue",
            "police"}


def by_id(rows):
    return {r["service_id"]: r for r in rows}


def test_table_covers_every_required_service_with_a_source():
    table = services()
    assert {s.id for s in table} >= REQUIRED
    for s in table:
        assert len(s.source) > 20 and any(w in s.source for w in ("Act", "Order", "GOV.UK"))


def test_two_tier_district_splits_services_between_district_county_and_combined_authority():
    rows = by_id(delivery(CAMBRIDGE, county=CAMBS, combined=CPCA))
    for sid in ("waste_collection", "planning_applications", "housing_and_homelessness",
                "council_tax_and_benefits", "environmental_health", "licensing",
                "parks_and_leisure"):
        assert rows[sid]["body_code"] == "E07000008", sid
        assert rows[sid]["tier"] == "lower"
    for sid in ("waste_disposal", "adult_social_care", "childrens_social_care", "education",
                "public_health", "highways", "minerals_and_waste_planning", "libraries",
                "trading_standards"):
        assert rows[sid]["body_code"] == "E10000003", sid
        assert rows[sid]["body_name"] == "Cambridgeshire County Council"
    assert rows["local_transport_planning"]["body_code"] == "E47000008"
    assert rows["local_transport_planning"]["tier"] == "combined"


def test_two_tier_district_without_combined_authority_has_county_as_transport_authority():
    rows = by_id(delivery(MAIDSTONE, county=KENT))
    assert rows["local_transport_planning"]["body_code"] == "E10000016"
    assert rows["waste_collection"]["body_code"] == "E07000110"


def test_bodies_not_in_the_register_are_described_never_named_from_nowhere():
    rows = by_id(delivery(MAIDSTONE, county=KENT))
    for sid in ("fire_and_rescue", "police"):
        assert rows[sid]["body_code"] is None
        assert rows[sid]["tier"] == "other"
        assert "not in the register" in rows[sid]["body_name"]


def test_missing_county_is_said_to_be_missing():
    rows = by_id(delivery(MAIDSTONE, county=None))
    assert rows["adult_social_care"]["body_code"] is None
    assert "not found in the register" in rows["adult_social_care"]["body_name"]


def test_unitary_delivers_every_council_service_itself():
    rows = by_id(delivery(MEDWAY))
    council_services = REQUIRED - {"fire_and_rescue", "police"}
    for sid in council_services:
        assert rows[sid]["body_code"] == "E06000035", sid
        assert rows[sid]["tier"] == "single"
    assert by_id(delivery(SCILLY))["libraries"]["body_code"] == "E06000053"


def test_metropolitan_district_mayoral_police_and_fire_follow_the_combined_authority():
    gm = by_id(delivery(MANCHESTER, combined=GMCA))
    assert gm["fire_and_rescue"]["body_code"] == "E47000001"
    assert gm["police"]["body_code"] == "E47000001"
    assert "Mayor" in gm["police"]["note"]
    wy = by_id(delivery(LEEDS, combined=WYCA))
    assert wy["police"]["body_code"] == "E47000003"
    assert wy["fire_and_rescue"]["body_code"] is None  # a separate fire authority
    assert "metropolitan" in wy["fire_and_rescue"]["body_name"]
    assert "joint waste disposal" in wy["waste_disposal"]["body_name"]
    assert wy["waste_collection"]["body_code"] == "E08000035"


def test_london_borough_gla_transport_and_london_bodies():
    rows = by_id(delivery(CAMDEN, combined=GLA))
    assert rows["local_transport_planning"]["body_code"] == "E61000001"
    assert rows["local_transport_planning"]["tier"] == "strategic"
    assert "London Fire Commissioner" in rows["fire_and_rescue"]["body_name"]
    assert "MOPAC" in rows["police"]["body_name"]
    assert "joint waste disposal" in rows["waste_disposal"]["body_name"]
    assert rows["planning_applications"]["body_code"] == "E09000007"


def test_city_of_london_is_its_own_police_authority():
    rows = by_id(delivery(CITY, combined=GLA))
    assert rows["police"]["body_code"] == "E09000001"


def test_county_area_names_its_districts_for_lower_tier_services():
    districts = [place("E07000008", "Cambridge", "Cambridge City Council", "shire district",
                       "lower", county="E10000003"),
                 place("E07000012", "South Cambridgeshire",
                       "South Cambridgeshire District Council", "shire district", "lower",
                       county="E10000003")]
    rows = by_id(delivery(CAMBS, combined=CPCA, districts=districts))
    assert rows["education"]["body_code"] == "E10000003"
    assert rows["waste_collection"]["body_code"] is None
    assert rows["waste_collection"]["tier"] == "lower"
    assert "Cambridge, South Cambridgeshire" in rows["waste_collection"]["body_name"]


@pytest.mark.parametrize("authority", [CPCA, GLA])
def test_authorities_covering_several_councils_are_refused_with_advice(authority):
    with pytest.raises(InputError, match="member councils"):
        delivery(authority)


def test_every_row_has_the_stable_keys():
    for row in delivery(CAMBRIDGE, county=CAMBS, combined=CPCA):
        assert set(row) == {"service_id", "service", "body_name", "body_code", "tier",
                            "source", "note"}


def test_table_validation_rejects_duplicates_and_undescribed_other_bodies():
    one = ("- id: a\n  service: A\n  two_tier: lower\n  unitary: single\n"
           "  metropolitan: single\n  london: single\n  source: Local Government Act 1972\n")
    with pytest.raises(ValueError, match="twice"):
        parse_services(one + one.replace("- id: a", "- id: a", 1))
    with pytest.raises(ValueError, match="body"):
        parse_services(one.replace("london: single", "london: other"))
