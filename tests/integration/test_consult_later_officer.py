"""Consequences over time for the consultation officer: a line linked to a prevention model is
checked at import (an unknown model refused by field, nothing stored), set and cleared in the
set-up form, shown in the preview after Recalculate, and the dashboard (HTML, JSON, XLSX) gives
the multi-year cost of the average submission with the number of responses it rests on.
The consultation is the synthetic test fixture and the model the TEST model (invented numbers).

By hand: libraries linked at £0.01 of programme per £1 cut. R1 cuts £300,000 (£3,000 of the
£10,000 programme, 30%), R2 £100,000 (10%): the mean is 20% of the whole programme's avoided
cost (£0, £5,000, £5,000): £0, £1,000, £1,000, the NHS three quarters (£750 a year), adult
social care a quarter (£250), £2,000 in all.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.access_support import parse, token_in
from tests.integration.test_consult_officer_web import (  # noqa: F401 (fixtures)
    FIXTURE,
    add_response,
    csrf,
    engine_and_client,
    imported,
    officer,
    stored,
)
from wholeplace.consult.tables import ConsultationRow

MODELS = Path(__file__).parents[1] / "fixtures" / "prevention"
LINK = '    prevention: {model: %s, per_pound: "0.01"}\n'


def _with_link(model: str = "test_simple") -> str:
    text = FIXTURE.read_text()
    marker = "      - {at: \"100000\", text: Sunday opening at the central library.}\n"
    assert marker in text
    return text.replace(marker, marker + LINK % model)


@pytest.fixture(autouse=True)
def _models(monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_PREVENTION_MODELS", str(MODELS))


def test_an_unknown_model_is_refused_at_import_and_nothing_stored(
        engine_and_client, officer):  # noqa: F811
    engine, _client = engine_and_client
    answer = imported(officer, text=_with_link("no_such_model"))
    assert answer.status_code == 422 and stored(engine) == 0
    assert ("lines[0] (libraries).prevention.model: &#39;no_such_model&#39; is not a "
            "prevention model the platform knows") in answer.text


def test_set_clear_preview_and_the_average_submission(
        engine_and_client, officer):  # noqa: F811
    engine, _client = engine_and_client
    assert imported(officer).status_code == 303
    page = officer.get("/consult/manage/budget-test")
    assert 'name="lines-0-prevention_model" type="text" value=""' in page.text
    form = {"csrf_token": token_in(page.text), "lines-0-shown": "yes",
            "lines-0-recurring": "yes", "lines-0-prevention_model": "test_simple",
            "lines-0-prevention_mapping": "pound_for_pound",
            "lines-0-prevention_per_pound": "0.01",
            "lines-0-consequences": "-100000 | Two libraries close on Saturdays."}
    bad = officer.post("/consult/manage/budget-test",
                       data={**form, "lines-0-prevention_per_pound": "2"})
    assert bad.status_code == 422 and 'href="#lines-0-prevention_per_pound"' in bad.text
    saved = officer.post("/consult/manage/budget-test", data=form, follow_redirects=False)
    assert saved.status_code == 303
    d = officer.get("/consult/manage/budget-test.json").json()["definition"]
    assert d["lines"][0]["prevention"] == {"model": "test_simple",
                                           "mapping": "pound_for_pound", "per_pound": "0.01"}
    assert "model: test_simple" in officer.get("/consult/manage/budget-test/definition.yaml").text

    preview = officer.get("/consult/manage/budget-test/preview")
    assert 'action="/consult/manage/budget-test/preview"' in preview.text
    again = officer.post("/consult/manage/budget-test/preview", data={
        "csrf_token": token_in(preview.text), "line__libraries": "-300000", "band": "D"})
    assert again.status_code in (200, 422)
    parse(again.text)
    assert ("Modelled extra cost in later years: £3,000 over 3 years (2024-25 to 2026-27), "
            "at 2024-25 prices") in again.text

    add_response(engine, "R1", libraries="-300000")
    add_response(engine, "R2", libraries="-100000")
    data = officer.get("/consult/manage/budget-test/results.json").json()
    [m] = data["later_costs"]["models"]
    assert data["later_costs"]["responses"] == m["responses"] == 2
    assert m["responses_cutting"] == 2 and m["total"] == pytest.approx(2000)
    by = {p["partner"]: p["by_year"] for p in m["partners"]}
    assert by["nhs"] == pytest.approx({"2024-25": 0, "2025-26": 750, "2026-27": 750})
    assert by["asc"] == pytest.approx({"2024-25": 0, "2025-26": 250, "2026-27": 250})
    html = officer.get("/consult/manage/budget-test/results").text
    parse(html)
    assert "Costs in later years of the average submission" in html
    assert "mean over all 2 responses" in html and "£2,000 over 3 years" in html
    wb = load_workbook(io.BytesIO(officer.get("/consult/manage/budget-test/results.xlsx")
                                  .content))
    rows = list(wb["Later costs"].iter_rows(values_only=True))
    assert rows[0][:3] == ("model", "title", "price_base")
    assert ("test_simple", "nhs", "2025-26", 750, 2) in {
        (r[0], r[4], r[6], r[7], r[8]) for r in rows[1:]}

    cleared = officer.post("/consult/manage/budget-test", data={
        **form, "csrf_token": csrf(officer, "/consult/manage/budget-test"),
        "lines-0-prevention_model": ""}, follow_redirects=False)
    assert cleared.status_code == 303
    d = officer.get("/consult/manage/budget-test.json").json()["definition"]
    assert "prevention" not in d["lines"][0]
    assert stored(engine, ConsultationRow) == 1
