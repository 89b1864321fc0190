"""The profile of a shire district shows its own outcomes beside similar districts and the
county's children's outcomes, labelled as delivered by the county (who delivers what: the service
rules); a unitary shows its own. On the real loaded hub: Adur (West Sussex), Cambridge
(Cambridgeshire) and Hartlepool (a unitary)."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from wholeplace.config import get_settings
from wholeplace.hub import queries as hub
from wholeplace.insight.profile.build import build_profile
from wholeplace.insight.profile.children import CHILDREN_INDICATORS, is_children_indicator
from wholeplace.places import services
from wholeplace.web.app import create_app

ADUR, WEST_SUSSEX = "E07000223", "E10000032"
CAMBRIDGE, CAMBRIDGESHIRE = "E07000008", "E10000003"
HARTLEPOOL = "E06000001"


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def latest_with_value(store, indicator: str, code: str) -> dict:
    return [p for p in hub.series(store, indicator, code) if p["value"] is not None][-1]


@pytest.mark.parametrize(("district", "county", "name"), [
    (ADUR, WEST_SUSSEX, "West Sussex County Council"),
    (CAMBRIDGE, CAMBRIDGESHIRE, "Cambridgeshire County Council")])
def test_a_district_shows_its_countys_childrens_outcomes(loaded_store, district, county, name):
    care = next(r for r in services.who_delivers(loaded_store, district)
                if r["service_id"] == "childrens_social_care")
    assert care["body_code"] == county  # the service rules say who delivers it
    ch = build_profile(loaded_store, district)["children"]
    assert ch["status"] == "available"
    assert ch["label"] == f"Delivered by {name}"
    assert ch["delivered_by"] == {"code": county, "name": ch["delivered_by"]["name"],
                                  "official_name": name, "own": False}
    assert name in ch["note"]
    rows = {r["indicator_id"]: r for r in ch["indicators"]}
    assert {"lait.lac", "lait.cpp_rate", "ofsted.overall_effectiveness"} <= set(rows)
    for i, r in rows.items():  # the county's own latest values
        latest = latest_with_value(loaded_store, i, county)
        assert (r["period"], r["value"]) == (latest["period"], latest["value"])
    # compared with the county's group (counties), not the district's
    assert all(m["la_type"] == "county council" for m in ch["group"]["members"])
    assert ch["group"]["whom"].startswith(ch["delivered_by"]["name"] + "'s ")


def test_adur_spot_values_and_its_own_recycling_beside_similar_districts(loaded_store):
    p = build_profile(loaded_store, ADUR)
    rows = {r["indicator_id"]: r for r in p["children"]["indicators"]}
    # DfE LAIT: West Sussex, children looked after per 10,000 (2025); Ofsted: overall
    # effectiveness 4 (inadequate) at 31 March 2023
    assert (rows["lait.lac"]["period"], rows["lait.lac"]["value"]) == ("2025", 54.0)
    assert rows["ofsted.overall_effectiveness"]["value"] == 4.0
    assert rows["ofsted.overall_effectiveness"]["group"]["verdict"] == "ordinal"
    own = {r["indicator_id"]: r for r in p["outcomes"]["indicators"]}
    recycling = own["waste.household_recycling_rate"]
    assert recycling["period"] == "2023-24" and recycling["value"] is not None
    assert recycling["group"]["n"] >= 10
    members = {m["la_type"] for m in p["outcomes"]["group"]["members"]}
    assert members == {"shire district"}
    assert not any(is_children_indicator(i) for i in own)  # shown once, in its own section


def test_a_unitary_shows_its_own_childrens_outcomes(loaded_store):
    p = build_profile(loaded_store, HARTLEPOOL)
    ch = p["children"]
    assert ch["delivered_by"]["own"] and ch["delivered_by"]["code"] == HARTLEPOOL
    assert ch["label"] == "Delivered by Hartlepool Borough Council itself"
    assert ch["note"] is None
    assert not any(is_children_indicator(r["indicator_id"])
                   for r in p["outcomes"]["indicators"])
    trends = {t["indicator_id"] for t in p["trends"]["indicators"]}
    assert "lait.lac" in trends  # its own series, with the trend test
    assert [r["indicator_id"] for r in ch["indicators"]] == [
        i for i in CHILDREN_INDICATORS if i in {r["indicator_id"] for r in ch["indicators"]}]


def test_the_page_the_pdf_and_the_xlsx_label_the_county(client):
    page = client.get(f"/council/{ADUR}/profile").text
    section = re.search(r'id="children".*?</table>', page, re.S).group(0)
    assert "Delivered by West Sussex County Council" in section
    assert "Inadequate" in section  # the Ofsted grade in words, never a number
    assert 'data-indicator="lait.lac"' in section
    data = client.get(f"/council/{ADUR}/profile.json").json()
    assert data["children"]["label"] == "Delivered by West Sussex County Council"
    book = load_workbook(io.BytesIO(client.get(f"/council/{ADUR}/profile.xlsx").content))
    sheet = book["Children"]
    header = [c.value for c in sheet[1]]
    got = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert {r["delivered_by"] for r in got} == {"Delivered by West Sussex County Council"}
    assert {r["indicator_id"] for r in got} == {
        r["indicator_id"] for r in data["children"]["indicators"]}
    pdf = client.get(f"/council/{ADUR}/profile.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_combined_authority_has_no_childrens_section(loaded_store):
    ch = build_profile(loaded_store, "E47000008")["children"]
    assert ch["status"] == "not available" and ch["reason"]


def test_a_custom_group_is_the_councils_own_and_a_districts_county_uses_its_own(loaded_store):
    members = ["E06000002", "E06000003", "E06000004", "E06000005", "E06000047"]
    own = build_profile(loaded_store, HARTLEPOOL, "custom", members)["children"]
    assert own["status"] == "available" and own["method"] == "custom"
    assert {m["code"] for m in own["group"]["members"]} == set(members)
    districts = ["E07000224", "E07000225", "E07000226", "E07000227", "E07000228"]
    county = build_profile(loaded_store, ADUR, "custom", districts)["children"]
    assert county["status"] == "available" and county["method"] == "ours"
    assert county["label"] == "Delivered by West Sussex County Council"
