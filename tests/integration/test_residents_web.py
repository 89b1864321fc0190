"""The residents index's pages and JSON twins on a real application database and a SYNTHETIC
index: each page for the role it serves, SYNTHETIC on every page, look-ups audited, review
decisions posted through the form (with its CSRF token), stored and respected."""

import re

import pytest
from fastapi.testclient import TestClient

from tests import residents_support as rs
from tests.access_support import CAMBRIDGE, parse, settings_for, sign_in, token_in
from wholeplace.access import audit
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.residents.privacy import load_key
from wholeplace.residents.workspace import open_workspace
from wholeplace.web.app import create_app

pytestmark = pytest.mark.xdist_group("residents-web")
BASE = f"/residents/{rs.PURPOSE}"


@pytest.fixture(scope="module")
def world(tmp_path_factory, register_db):
    folder = tmp_path_factory.mktemp("residents-web")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    ids = rs.seeded_engine(engine)
    workspace, keys = rs.build_index(engine, folder, ids["icb"])
    app = create_app(settings_for(register_db, url, residents=workspace, resident_keys=keys))
    yield app, engine, workspace, keys
    engine.dispose()


def client_for(app, email):
    client = TestClient(app)
    assert sign_in(client, email).status_code == 303
    return client


def household_key(workspace):
    with open_workspace(workspace) as ws:
        return ws.scalar("SELECT household_key FROM residents WHERE household_key IS NOT NULL "
                         "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")


def test_a_caseworker_opens_a_household_timeline_and_it_is_audited(world):
    app, engine, workspace, _keys = world
    client = client_for(app, "caseworker@cambridge.example")
    key = household_key(workspace)
    page = client.get(f"{BASE}/households/{key}")
    assert page.status_code == 200, page.text[:500]
    assert "SYNTHETIC" in page.text and "Household service timeline" in page.text
    parse(page.text)
    data = client.get(f"{BASE}/households/{key}.json").json()
    assert data["synthetic"] is True and data["timeline"]
    assert {t["source"] for t in data["timeline"]} <= set(rs.demo.SYSTEMS)
    first = data["household"]["residents"][0]["resident_id"]
    assert client.get(f"{BASE}/residents/{first}").status_code == 200
    with session_factory(engine)() as s:
        entries = [e for e in audit.entries(s, CAMBRIDGE, 5) if e.action == "residents.lookup"]
    assert entries[0].target == f"resident:{first}"
    assert any(e.target == f"household:{key}" for e in entries)
    assert entries[0].detail["purpose"] == rs.PURPOSE and entries[0].detail["agreements"]


def test_the_find_form_goes_to_the_household_by_uprn(world):
    app, _engine, workspace, keys = world
    client = client_for(app, "caseworker@cambridge.example")
    form = client.get(BASE)
    assert form.status_code == 200 and "SYNTHETIC" in form.text
    import csv

    extract = workspace.parent / "extracts" / "SYNTHETIC-council_tax.csv"
    uprn = next(r["uprn"] for r in csv.DictReader(extract.open(encoding="utf-8"))
                if r["uprn"].strip())
    found = client.post(f"{BASE}/find", data={"uprn": uprn, "csrf_token": token_in(form.text)},
                        follow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == \
        f"{BASE}/households/{load_key(keys, rs.PURPOSE)(f'uprn:{int(uprn)}')}"
    bad = client.post(f"{BASE}/find", data={"uprn": "x", "csrf_token": token_in(form.text)})
    assert bad.status_code == 400 and "A UPRN is a number" in bad.text


def test_other_councils_and_other_roles_are_refused(world):
    app, _engine, workspace, _keys = world
    key = household_key(workspace)
    south = client_for(app, "caseworker@southcambs.example")
    refused = south.get(f"{BASE}/households/{key}")
    assert refused.status_code == 403 and "agreement between the councils" in refused.text
    reviewer = client_for(app, "reviewer@cambridge.example")
    assert reviewer.get(f"{BASE}/households/{key}").status_code == 403
    assert TestClient(app).get(f"{BASE}/households/{key}.json").status_code == 401


def test_a_reviewer_decides_a_pair_and_the_decision_is_stored(world):
    app, _engine, workspace, _keys = world
    client = client_for(app, "reviewer@cambridge.example")
    queue = client.get(f"{BASE}/review.json").json()
    assert queue["synthetic"] is True and queue["pairs"], "no pair to review"
    pair = queue["pairs"][0]["pair_key"]
    page = client.get(f"{BASE}/review/{pair}")
    assert page.status_code == 200 and "SYNTHETIC" in page.text
    assert "What drove the match weight" in page.text
    parse(page.text)
    detail = client.get(f"{BASE}/review/{pair}.json").json()
    assert detail["left"]["record_id"] and detail["right"]["record_id"] and detail["drivers"]
    assert any(d["weight"] is not None for d in detail["drivers"])  # what drove the weight
    token = token_in(page.text)
    missing = client.post(f"{BASE}/review/{pair}", data={"csrf_token": token})
    assert missing.status_code == 400 and "Choose whether" in missing.text
    no_token = client.post(f"{BASE}/review/{pair}", data={"decision": "reject"})
    assert no_token.status_code == 403
    done = client.post(f"{BASE}/review/{pair}", data={"decision": "reject",
                                                      "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    with open_workspace(workspace) as ws:
        assert ws.rows("SELECT decision, decided_by FROM decisions WHERE pair_key = ?",
                       [pair]) == [("reject", "reviewer@cambridge.example")]
    after = client.get(f"{BASE}/review.json").json()
    assert pair not in {p["pair_key"] for p in after["pairs"]}
    assert after["waiting"] == queue["waiting"] - 1 >= len(after["pairs"])
    caseworker = client_for(app, "caseworker@cambridge.example")
    assert caseworker.get(f"{BASE}/review").status_code == 403


def test_the_analysts_aggregate_has_no_identities_and_suppresses_small_numbers(world):
    app, _engine, _workspace, _keys = world
    client = client_for(app, "analyst@cambridge.example")
    page = client.get(f"{BASE}/households")
    assert page.status_code == 200 and "SYNTHETIC" in page.text
    assert "fewer than 5" in page.text and not re.search(r"R\d{9}", page.text)
    data = client.get(f"{BASE}/households.json?by_area=true").json()
    counts = [c["households"] for a in data["households"].values() for c in a["combinations"]]
    assert all(n is None or n >= 5 for n in counts)
    assert "SYN-" not in str(data)
    assert client.get(f"{BASE}/households/{'0' * 64}").status_code == 403
