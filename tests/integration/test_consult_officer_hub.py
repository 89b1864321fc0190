"""The officer's side on the real loaded hub: population by age band for the weights, and a
consultation started from the hub's budget lines through the web form."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.access_support import populate, settings_for, sign_in, token_in
from tests.integration.test_consult_officer_web import OFFICER, PETERBOROUGH, add_people
from wholeplace.appdb import make_engine, upgrade
from wholeplace.consult.dashboard import population_for
from wholeplace.consult.weighting import POPULATION_BANDS
from wholeplace.web.app import create_app


def test_population_by_age_band_is_the_latest_year_with_every_band(loaded_store):
    population = population_for(loaded_store, PETERBOROUGH)
    assert population is not None and population.period.startswith("mid-")
    bands = [population.persons[b] for b, _ in POPULATION_BANDS]
    assert all(n > 0 for n in bands)
    total = loaded_store.scalar(
        "SELECT value FROM current_observations WHERE area_code = ? AND indicator_id = "
        "'population.all_ages' AND period = ?", [PETERBOROUGH, population.period])
    assert total is not None and abs(sum(bands) - total) <= 2  # the bands make up everyone
    assert population_for(loaded_store, "E06999999") is None


def test_a_consultation_started_from_the_hub_says_where_each_line_came_from(loaded_db,
                                                                          tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    populate(engine)
    add_people(engine)
    engine.dispose()
    with TestClient(create_app(settings_for(loaded_db, url))) as client:
        assert sign_in(client, OFFICER).status_code == 303
        token = token_in(client.get("/consult/manage").text)
        made = client.post("/consult/manage/new", data={
            "csrf_token": token, "slug": "budget-2024-25", "budget_year": "2024-25"},
            follow_redirects=False)
        assert made.status_code == 303, made.text[:500]
        data = client.get("/consult/manage/budget-2024-25.json").json()
        lines = data["definition"]["lines"]
        assert lines and all(line["budget_source"].startswith(("RA budget", "RS outturn"))
                             for line in lines)
        assert all(line["indicator"].startswith(("ra.nce.", "rs.nce.")) for line in lines)
        page = client.get("/consult/manage/budget-2024-25")
        assert lines[0]["budget_source"] in page.text
        results = client.get("/consult/manage/budget-2024-25/results.json").json()
        assert results["weights"]["population_period"].startswith("mid-")
