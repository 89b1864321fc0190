"""The backtest page (/early-warning/backtest) and its JSON twin, on the real loaded hub."""

from __future__ import annotations

import html5lib
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.insight.early_warning import backtest
from wholeplace.report.backtest_chart import backtest_chart, points
from wholeplace.web.app import create_app


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


@pytest.fixture(scope="module")
def twin(client):
    resp = client.get("/early-warning/backtest.json")
    assert resp.status_code == 200
    return resp.json()


def _parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def _text(e) -> str:
    return " ".join("".join(e.itertext()).split())


def test_the_twin_is_the_backtest_with_its_rule_and_summary(twin, loaded_store):
    assert [r["year"] for r in twin["rows"]] == list(backtest.YEARS)
    one = backtest.backtest(loaded_store, years=[2018])  # computed afresh, for one year
    assert twin["rows"][backtest.YEARS.index(2018)] == one["rows"][0]
    assert twin["outcome"] == one["outcome"] and twin["latest_outturn"] == "2023-24"
    assert twin["rule"]["min_higher"] == backtest.MIN_HIGHER
    assert "Welch" in twin["rule"]["method"]
    s = twin["summary"]
    compared = [r for r in twin["rows"] if r["status"] == "compared"]
    assert s["compared"] == len(compared) > 5
    assert sorted(s["interval_below_zero"] + s["interval_above_zero"]
                  + s["interval_includes_zero"]) == sorted(r["year"] for r in compared)
    for r in compared:
        assert r["ci_low"] <= r["difference"] <= r["ci_high"]
        where = ("interval_below_zero" if r["ci_high"] < 0 else "interval_above_zero"
                 if r["ci_low"] > 0 else "interval_includes_zero")
        assert r["year"] in s[where]
    assert 2024 in s["not_compared"]  # 2025-26 outturn is not published


def test_the_page_has_the_table_the_chart_and_the_caveats(client, twin):
    tree = _parse(client.get("/early-warning/backtest").text)
    main = tree.find(".//main")
    table = main.find(".//table[@id='backtest-table']")
    body_rows = table.findall("./tbody/tr")
    assert len(body_rows) == len(twin["rows"])
    first = next(r for r in twin["rows"] if r["status"] == "compared")
    cells = [_text(c) for c in body_rows[twin["rows"].index(first)]]
    assert cells[0] == str(first["year"])
    assert cells[3] == f"{first['flagged']:,} ({first['flagged_with_outcome']:,})"
    assert cells[9] == points(first["difference"])
    assert cells[10] == f"{points(first['ci_low'])} to {points(first['ci_high'])}"
    last = [_text(c) for c in body_rows[-1]]
    assert "Outcome not yet published" in " ".join(last)
    ns = "{http://www.w3.org/2000/svg}"
    svg = next(e for e in main.iter(f"{ns}svg") if e.get("id") == "backtest")
    assert svg.get("role") == "img"
    assert "against the rest" in _text(svg.find(f"{ns}title"))
    assert str(first["year"]) in _text(svg.find(f"{ns}desc"))
    text = _text(main)
    assert "at least 2 'higher risk' flags" in text
    assert "Reserves regress to the mean" in text
    assert f"Of the {twin['summary']['compared']} years that can be compared" in text
    assert main.find(".//a[@href='/early-warning/backtest.json']") is not None


def test_the_early_warning_page_links_to_it(client):
    tree = _parse(client.get("/early-warning").text)
    assert tree.find(".//main//a[@href='/early-warning/backtest']") is not None


def test_the_result_is_computed_once_per_hub(loaded_store):
    assert backtest.shared_backtest(loaded_store) is backtest.shared_backtest(loaded_store)


def test_the_chart_draws_an_interval_per_compared_year_and_labels_the_rest(twin):
    chart = backtest_chart(twin["rows"])
    texts = chart.texts()
    compared = [r for r in twin["rows"] if r["status"] == "compared"]
    assert texts.count("not yet") == len(twin["rows"]) - len(compared)
    for r in twin["rows"]:
        assert str(r["year"]) in texts
    empty = backtest_chart([{"year": 2024, "status": "outcome not yet published"}])
    assert "No year can be compared yet" in empty.texts()
