"""Data shared by agreement, through the signed-in web app on a real hub: a council's private
upload reaches another party only while the agreement is active and within its dates; a draft
or half-approved agreement, an expired one and one revoked in the middle of a session share
nothing, and the private dataset then answers as if it did not exist. The upload's values and
titles are illustrative fixture values (clearly labelled), never real data; its indicator title
carries markup, which every page escapes."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.access_support import (
    CAMBRIDGE,
    PASSWORD,
    SOUTH_CAMBS,
    populate,
    settings_for,
    sign_in,
    token_in,
)
from wholeplace.access import agreements, memberships, organisations, users
from wholeplace.appdb import session_factory
from wholeplace.web.app import create_app
from wholeplace.web.deps import load_upload_for

INDICATOR = "fixture.shared_rate"
TITLE = "<script>alert('title')</script> shared rate (illustrative values)"
METADATA = f"""\
# Test fixture metadata (illustrative values, not real data).
- id: {INDICATOR}
  title: "{TITLE}"
  unit: percent
  polarity: higher_is_better
  kind: outcome
  theme: environment
"""
READER = "two@example.org"  # an analyst in South Cambridgeshire (and a viewer in Cambridge)


@pytest.fixture
def world(app_engine, app_url, register_db, tmp_path):
    populate(app_engine)
    with session_factory(app_engine)() as s, s.begin():
        dpo = users.add(s, "dpo@scambs.example", "Dpo", PASSWORD)
        memberships.grant(s, dpo, organisations.get(s, SOUTH_CAMBS), "data_protection_officer")
    hub = tmp_path / "hub.duckdb"
    shutil.copy(register_db, hub)
    (tmp_path / "meta.yaml").write_text(METADATA, encoding="utf-8")
    (tmp_path / "private.csv").write_text(
        f"area_code,period,indicator_id,value\n{CAMBRIDGE},2023-24,{INDICATOR},76.5432\n",
        encoding="utf-8")
    app = create_app(settings_for(hub, app_url, hub_writable=True))
    with TestClient(app) as owner:
        with app.state.stores.cursor() as store:
            result = load_upload_for(store, tmp_path / "private.csv", tmp_path / "meta.yaml",
                                     CAMBRIDGE, title="Fixture private upload")
        reader = TestClient(app)
        assert sign_in(reader, READER).status_code == 303
        chosen = reader.post("/choose-organisation", data={
            "organisation": SOUTH_CAMBS,
            "csrf_token": token_in(reader.get("/choose-organisation").text)},
            follow_redirects=False)
        assert chosen.status_code == 303
        yield {"app": app, "engine": app_engine, "reader": reader, "owner": owner,
               "dataset": result.dataset_id}


def agreement(engine, start: date, end: date, approvers: tuple[str, ...]) -> int:
    with session_factory(engine)() as s, s.begin():
        made = agreements.add(s, agreements.Terms(
            title="Fixture sharing", purpose="<b>Joint</b> planning (test)",
            parties=(CAMBRIDGE, SOUTH_CAMBS), items=(f"indicator:{INDICATOR}",),
            article6_basis="public_task", start_date=start, end_date=end))
        for code, email in (("E07000008", "dpo@cambridge.example"),
                            (SOUTH_CAMBS, "dpo@scambs.example")):
            if code in approvers:
                agreements.approve(s, made, code, users.get(s, email))
        return made.id


def sees(world) -> bool:
    response = world["reader"].get(f"/api/datasets/{world['dataset']}")
    assert response.status_code in (200, 404), response.text[:300]
    if response.status_code == 404:
        assert "Fixture private upload" not in response.text and "76.5432" not in response.text
    return response.status_code == 200


TODAY = date.today()


def test_an_agreement_awaiting_approval_shares_nothing(world):
    agreement(world["engine"], TODAY - timedelta(days=1), TODAY + timedelta(days=30),
              approvers=(CAMBRIDGE,))
    assert not sees(world)


def test_an_active_agreement_shares_and_revoking_it_mid_session_stops_at_once(world):
    number = agreement(world["engine"], TODAY - timedelta(days=1), TODAY + timedelta(days=30),
                       approvers=(CAMBRIDGE, SOUTH_CAMBS))
    assert sees(world)
    page = world["reader"].get(f"/council/{CAMBRIDGE}")
    assert page.status_code == 200 and "76.5" in page.text  # the shared value is shown
    assert "&lt;script&gt;alert(" in page.text  # with its indicator title escaped
    assert "<script>alert('title')</script>" not in page.text
    with session_factory(world["engine"])() as s, s.begin():
        agreements.revoke(s, agreements.get(s, number))
    assert not sees(world)  # the same session, the very next request


def test_an_expired_agreement_shares_nothing(world):
    agreement(world["engine"], TODAY - timedelta(days=60), TODAY - timedelta(days=1),
              approvers=(CAMBRIDGE, SOUTH_CAMBS))
    assert not sees(world)


def test_an_agreement_not_started_yet_shares_nothing(world):
    agreement(world["engine"], TODAY + timedelta(days=5), TODAY + timedelta(days=60),
              approvers=(CAMBRIDGE, SOUTH_CAMBS))
    assert not sees(world)


def test_the_owner_sees_it_and_the_public_does_not(world):
    public = TestClient(world["app"])
    assert public.get(f"/api/datasets/{world['dataset']}").status_code == 404
    owner = world["owner"]
    assert sign_in(owner, "analyst@cambridge.example").status_code == 303
    assert owner.get(f"/api/datasets/{world['dataset']}").status_code == 200
    listing = owner.get("/datasets")
    assert "<script>alert(" not in listing.text


def test_a_new_upload_under_an_agreement_in_force_is_shared_at_the_next_request(world, tmp_path):
    """What the agreements open in the hub is kept briefly between requests; a new upload
    (here a second one carrying the shared indicator) is seen by the other party at once."""
    agreement(world["engine"], TODAY - timedelta(days=1), TODAY + timedelta(days=30),
              approvers=(CAMBRIDGE, SOUTH_CAMBS))
    assert sees(world)  # the hub's answer for these agreements is now kept
    (tmp_path / "second.csv").write_text(
        f"area_code,period,indicator_id,value\n{CAMBRIDGE},2024-25,{INDICATOR},12.3456\n",
        encoding="utf-8")
    with world["app"].state.stores.cursor() as store:
        second = load_upload_for(store, tmp_path / "second.csv", tmp_path / "meta.yaml",
                                 CAMBRIDGE, title="Second fixture upload").dataset_id
    response = world["reader"].get(f"/api/datasets/{second}")
    assert response.status_code == 200, response.text[:300]
