"""Consequences over time through the real app: a resident who cuts a line linked to a
prevention model sees its modelled later cost and who bears it (words, table, chart, caveat),
without JavaScript, on the page, the receipt and its JSON; the officer's preview shows it.
The model is the TEST model (tests/fixtures/prevention/simple.yaml, invented numbers).

By hand: public health is linked at £0.02 of programme per £1 cut. One step down (£117,000)
takes £2,340 from the £10,000 programme: 23.4% of its avoided cost, £0, £5,000, £5,000 a year,
so £2,340 over 3 years: the NHS £1,755 (£877.50 in each of the last two years), adult social
care £585.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.consult_support import PETERBOROUGH, definition
from wholeplace.access.models import Organisation
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.config import get_settings
from wholeplace.consult import store as consult_store
from wholeplace.consult.models import LinePrevention
from wholeplace.web.app import create_app

MODELS = Path(__file__).parents[1] / "fixtures" / "prevention"
SLUG = "later-test"
HEADLINE = ("Modelled extra cost in later years: £2,340 over 3 years (2024-25 to 2026-27), at "
            "2024-25 prices")
WHO = "Who bears it: The NHS: £1,755 over 3 years; Adult social care: £585 over 3 years."


def linked():
    c = definition()
    lines = [x.model_copy(update={"prevention": LinePrevention(
        model="test_simple", per_pound=Decimal("0.02"))}) if x.id == "public_health" else x
        for x in c.lines]
    return c.model_copy(update={"lines": lines})


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOLEPLACE_PREVENTION_MODELS", str(MODELS))
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("WHOLEPLACE_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s:
        s.add(Organisation(code=PETERBOROUGH, name="Peterborough", org_type="council"))
        s.flush()
        consult_store.publish(s, consult_store.create(s, linked(), PETERBOROUGH, slug=SLUG))
        s.commit()
    with TestClient(create_app(get_settings(db=tmp_path / "no-hub.duckdb"))) as c:
        yield c
    engine.dispose()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def _form(client, **changes):
    page = client.get(f"/consult/{SLUG}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return {"csrf_token": token, "lang": "en", "band": "D", **changes}


def test_without_a_cut_the_line_says_a_cut_has_a_later_cost(client):
    page = client.get(f"/consult/{SLUG}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "A cut here has a modelled cost in later years (Test programme (invented numbers))" \
        in text
    assert "Modelled extra cost in later years:" not in text
    assert "Your choices cut no service that is linked to a prevention model" in text
    twin = client.get(f"/consult/{SLUG}.json").json()
    assert twin["later_costs"] == []
    assert twin["prevention_models"]["test_simple"]["programme_cost_per_year"] == 10_000
    assert twin["prevention_models"]["test_simple"]["lines"] == ["public_health"]


def test_a_cut_shows_the_later_cost_beside_the_line_and_in_the_summary(client):
    answer = client.post(f"/consult/{SLUG}", data=_form(
        client, action="recalculate", line__public_health="-117000"))
    assert answer.status_code == 200
    text = _text(answer.text)
    assert text.count(HEADLINE) >= 3  # beside the line, in the summary, and in the aside
    assert WHO in text
    assert ("This is a model, not a forecast: Test programme (invented numbers), at its "
            "central values, at 2024-25 prices. The model is an illustration") in text
    # the table and the chart: the NHS's £877.50 a year, shown as £878
    assert re.search(r"The NHS</th>\s*<td[^>]*>£0</td>\s*<td[^>]*>£878</td>\s*<td[^>]*>"
                     r"£878</td>\s*<td[^>]*>£1,755</td>", answer.text)
    assert '<svg' in answer.text and 'id="later-all-test_simple"' in answer.text
    # a rise costs nothing later
    rise = _text(client.post(f"/consult/{SLUG}", data=_form(
        client, action="recalculate", line__public_health="117000")).text)
    assert "Modelled extra cost in later years:" not in rise


def test_the_receipt_and_its_json_show_it(client):
    answer = client.post(f"/consult/{SLUG}", data=_form(
        client, action="submit", line__public_health="-117000", line__education="-5836000"),
        follow_redirects=False)
    assert answer.status_code == 303, answer.text
    receipt = client.get(answer.headers["location"])
    assert HEADLINE in _text(receipt.text) and WHO in _text(receipt.text)
    path = answer.headers["location"].split("?")[0] + ".json"
    [lc] = client.get(path).json()["later_costs"]
    assert lc["model"] == "test_simple" and lc["total"] == pytest.approx(2340)
    assert lc["partners"][0]["by_year"] == pytest.approx(
        {"2024-25": 0, "2025-26": 877.5, "2026-27": 877.5})


def test_without_the_hub_a_model_that_needs_it_says_why(client, monkeypatch):
    monkeypatch.delenv("WHOLEPLACE_PREVENTION_MODELS")
    page = client.post(f"/consult/{SLUG}", data=_form(
        client, action="recalculate", line__public_health="-117000"))
    assert page.status_code == 200
    message = ("A later cost cannot be shown now: &#39;test_simple&#39; is not a prevention "
               "model the platform knows")
    assert page.text.count(message) == 2  # beside the line and in the summary
    assert "Modelled extra cost in later years:" not in page.text
