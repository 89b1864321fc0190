"""The early-warning page and its JSON twin, on the real loaded hub."""

import html5lib
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.insight.early_warning import resilience
from wholeplace.web.app import create_app


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_twin_lists_the_flagged_councils_most_at_risk_first(client, loaded_store):
    body = client.get("/early-warning.json", params={"year": 2018}).json()
    expected = [c for c in resilience.flags(loaded_store, 2018) if c["higher_risk"]]
    assert [c["code"] for c in body["councils"]] == [c["code"] for c in expected]
    assert body["flagged"] == len(expected) < body["assessed"]
    assert body["assessment"]["period"] == "2017-18"


def test_page_shows_each_flag_with_its_explanation(client, loaded_store):
    first = [c for c in resilience.flags(loaded_store, 2018) if c["higher_risk"]][0]
    html = client.get("/early-warning", params={"year": 2018}).text
    assert first["name"] in html
    assert first["flags"][0]["explanation"].split(":")[0] in html
    assert "Early warning, 2017-18" in html


def test_an_earlier_year_uses_only_what_was_published_then(client):
    body = client.get("/early-warning.json", params={"year": 2015, "show": "all"}).json()
    assert body["assessment"]["period"] == "2013-14"
    assert "2017-18" not in body["assessment"]["periods_used"]
    assert body["assessed"] == len(body["councils"])


def test_a_year_before_any_release_is_a_clear_error(client):
    resp = client.get("/early-warning.json", params={"year": 2009})
    assert resp.status_code == 400
    assert "No Revenue Outturn data had been published" in resp.json()["message"]


def _parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def _text(e) -> str:
    return " ".join("".join(e.itertext()).split())


def test_a_summary_table_comes_first_and_links_to_each_council(client, loaded_store):
    expected = [c for c in resilience.flags(loaded_store, 2018) if c["higher_risk"]]
    tree = _parse(client.get("/early-warning", params={"year": 2018}).text)
    main = tree.find(".//main")
    order = [e for e in main.iter() if e.tag == "table" or "govuk-summary-card" in
             (e.get("class") or "").split()]
    assert order[0].tag == "table" and order[0].get("id") == "summary"
    table = order[0]
    assert "most at risk first" in _text(table.find("caption"))
    heads = table.findall("./thead/tr/th")
    assert [_text(h) for h in heads] == ["Council", "Kind", "Region", "Higher-risk flags",
                                        "Some-risk flags", "Top flag"]
    assert all(h.get("scope") == "col" for h in heads)
    rows = table.findall("./tbody/tr")
    assert len(rows) == len(expected)
    ids = {e.get("id") for e in main.iter() if e.get("id")}
    for row, c in zip(rows, expected):
        th = row.find("th")
        assert th.get("scope") == "row"
        link = th.find("a")
        assert _text(link) == c["name"] and link.get("href") == f"#council-{c['code']}"
        assert f"council-{c['code']}" in ids
        cells = [_text(td) for td in row.findall("td")]
        assert cells[2:4] == [str(c["higher_risk"]), str(c["some_risk"])]
        assert cells[4] == f"{c['flags'][0]['band'].capitalize()} {c['flags'][0]['title']}"
    card = next(e for e in main.iter() if e.get("id") == f"council-{expected[0]['code']}")
    assert card.find(".//h3/a").get("href") == f"/council/{expected[0]['code']}"


def test_tags_use_the_profile_colours(client):
    html = client.get("/early-warning", params={"year": 2018}).text
    assert "govuk-tag--yellow" not in html
    tree = _parse(html)
    tags = [e for e in tree.iter("strong") if "govuk-tag" in (e.get("class") or "")]
    colours = {_text(t): set((t.get("class") or "").split()) for t in tags}
    assert "govuk-tag--red" in colours["Higher risk"]
    assert "govuk-tag--orange" in colours["Some risk"]


def test_the_twin_keeps_its_shape(client):
    body = client.get("/early-warning.json", params={"year": 2018}).json()
    assert set(body) == {"assessment", "year", "years", "show", "assessed", "flagged",
                         "councils"}
    assert {"code", "name", "la_type", "region", "current", "status", "comparator_group",
            "higher_risk", "some_risk", "severity", "flags", "indicators"} <= set(
        body["councils"][0])


def test_not_meaningful_values_say_why_on_the_page(client):
    html = client.get("/early-warning", params={"year": 2018, "show": "all"}).text
    tree = _parse(html)
    card = next(e for e in tree.iter() if e.get("id") == "council-E07000213")  # Spelthorne
    text = _text(card)
    # Every "% of net revenue expenditure" indicator, the 3- and 5-year changes included, is
    # listed with the one reason (the decade measures added the changes to the list).
    assert "Council tax requirement as % of net revenue expenditure; " in text
    assert ("Change in unallocated reserves as % of net revenue expenditure over 5 years: net "
            "revenue expenditure in 2017-18 is negative (\u2212£2.8m), so a percentage of it is "
            "not meaningful") in text
    assert "went from £8.9m in 2014-15 to \u2212£12.7m in 2017-18" in text
    assert "not enough data" not in text
