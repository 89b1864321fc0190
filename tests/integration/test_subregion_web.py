"""The subregion overview: the hub's member councils in one table (early-warning flags and key
outcomes against comparators, links to each profile), for the hub's people and its members'
people only, honouring visibility (a private upload shows only to its owner), audited when it
shows private data. The uploaded value is test data, not a published figure."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from tests.access_support import (
    CAMBRIDGE,
    HUB,
    SOUTH_CAMBS,
    parse,
    populate,
    settings_for,
    sign_in,
    token_in,
)
from wholeplace.access import audit
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.hub.store import open_store
from wholeplace.hub.uploads import load_file
from wholeplace.web.app import create_app

MARKER = "fixture.subregion_marker"
TITLE = "Test indicator <script>alert('s')</script>"


@pytest.fixture(scope="module")
def setup(loaded_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("subregion")
    hub = folder / "hub.duckdb"
    shutil.copy(loaded_db, hub)
    data, meta = folder / "marker.csv", folder / "marker.yaml"
    meta.write_text(f'- id: {MARKER}\n  title: "{TITLE}"\n  unit: count\n'
                    "  theme: environment\n", encoding="utf-8")
    data.write_text(f"area_code,period,indicator_id,value\n{CAMBRIDGE},2022-23,{MARKER},8642\n",
                    encoding="utf-8")
    with open_store(hub) as store:
        load_file(store, data, metadata=meta, owner_org=CAMBRIDGE)
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    app = create_app(settings_for(hub, url))
    yield app, engine
    engine.dispose()


@pytest.fixture
def web(setup):
    app, _ = setup
    with TestClient(app) as client:
        yield client


def test_a_member_council_sees_every_member_with_flags_outcomes_and_profile_links(web):
    assert web.get(f"/subregion/{HUB}").status_code == 401
    sign_in(web, "viewer@cambridge.example")
    page = web.get(f"/subregion/{HUB}")
    assert page.status_code == 200, page.text[:500]
    tree = parse(page.text)
    links = {a.get("href") for a in tree.iter("a")}
    assert {f"/council/{CAMBRIDGE}/profile", f"/council/{SOUTH_CAMBS}/profile"} <= links
    latest = web.get(f"/subregion/{HUB}.json").json()  # 2024: Cambridge sent no 2023-24 return
    assert latest["councils"][0]["flags"]["status"] == "not enough data"
    data = web.get(f"/subregion/{HUB}.json?year=2023").json()
    assert [c["code"] for c in data["councils"]] == [CAMBRIDGE, SOUTH_CAMBS]
    cambridge = data["councils"][0]
    assert cambridge["flags"]["status"] == "assessed"
    assert isinstance(cambridge["flags"]["higher_risk"], int)
    outcomes = {o["indicator_id"]: o for o in cambridge["outcomes"]}
    spend = outcomes["rs.net_revenue_expenditure.per_head"]
    assert spend["value"] is not None and spend["group_median"] is not None
    assert spend["group_n"] >= 5 and spend["period"]


def test_private_values_show_only_to_those_who_may_see_them_and_are_audited(web, setup):
    _, engine = setup
    sign_in(web, "analyst@cambridge.example")
    page = web.get(f"/subregion/{HUB}", params={"indicator": MARKER})
    assert page.status_code == 200
    assert "8,642" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    with session_factory(engine)() as s:
        views = [audit.as_row(e) for e in audit.entries(s, CAMBRIDGE)
                 if e.action == "data.view_private"]
    assert any(v["detail"]["path"].startswith(f"/subregion/{HUB}") for v in views)
    web.cookies.clear()
    sign_in(web, "two@example.org")
    web.post("/choose-organisation", data={
        "organisation": SOUTH_CAMBS,
        "csrf_token": token_in(web.get("/choose-organisation").text)})
    hidden = web.get(f"/subregion/{HUB}.json", params={"indicator": MARKER})
    assert hidden.status_code == 400 and "8642" not in hidden.text
    assert "8642" not in web.get(f"/subregion/{HUB}.json").text


def test_outsiders_are_refused_and_an_unknown_hub_does_not_exist(web):
    sign_in(web, "dpo@icb.example")
    assert web.get(f"/subregion/{HUB}").status_code == 403
    assert web.get("/subregion/no-such-hub").status_code == 404
    assert web.get(f"/subregion/{CAMBRIDGE}.json").status_code == 404  # a council, not a hub
