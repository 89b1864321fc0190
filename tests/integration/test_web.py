"""The web app against a real loaded hub: every page renders valid HTML, twins carry the same data,
errors have one pinned JSON shape, and missing values never show as 0."""

from __future__ import annotations

import re

import html5lib
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.errors import Problem, ValidationError
from wholeplace.hub import queries as hub
from wholeplace.web.app import create_app
from wholeplace.web.render import NOT_AVAILABLE, format_value

CAMBRIDGE = "E07000008"
CAMBRIDGESHIRE = "E10000003"
COMBINED = "E47000008"  # Cambridgeshire and Peterborough Combined Authority
FORMER = "E07000004"  # Aylesbury Vale, abolished 2020
CUMBERLAND = "E06000063"  # formed 2023: deprivation only as the unofficial re-aggregation

PAGES = [
    "/", "/search?q=cam", "/search?q=", "/search?q=Zzzznowhere", "/councils",
    "/councils?region=London", "/councils?tier=upper", f"/council/{CAMBRIDGE}",
    f"/council/{CAMBRIDGESHIRE}", f"/council/{COMBINED}", f"/council/{FORMER}", f"/council/{CUMBERLAND}", "/datasets",
    "/datasets/1", "/early-warning", "/early-warning?year=2015&show=all",
]


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def parse(text: str):
    """Parse strictly: html5lib raises on any parse error, so malformed markup fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def texts(tree, tag: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in tree.iter(tag)]


# -- every page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url", PAGES)
def test_page_is_valid_accessible_html(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/html")
    tree = parse(resp.text)
    assert tree.get("lang") == "en-GB"
    assert len(list(tree.iter("h1"))) == 1
    skip = [a for a in tree.iter("a") if "govuk-skip-link" in (a.get("class") or "")]
    assert skip and skip[0].get("href") == "#main-content"
    assert tree.find(".//main[@id='main-content']") is not None
    assert "Alpha" in texts(tree, "strong")
    footer = " ".join(texts(tree, "footer"))
    assert "Open Government Licence" in footer and "Creative Commons" in footer
    labelled = {label.get("for") for label in tree.iter("label")}
    for field in [*tree.iter("input"), *tree.iter("select")]:
        assert field.get("id") in labelled, f"{field.get('name')} has no label"
    for table in tree.iter("table"):
        assert table.find("caption") is not None
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    for el in [*tree.iter("script"), *tree.iter("link")]:
        src = el.get("src") or (el.get("href") if el.get("rel") == "stylesheet" else None)
        assert src is None or src.startswith("/static/"), f"asset not served locally: {src}"


def test_assets_are_served_locally(client):
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200
    fonts = set(re.findall(r"url\((/[^)]+)\)", css.text))
    assert fonts and all(u.startswith("/static/govuk/assets/") for u in fonts)
    for url in sorted(fonts) + ["/static/govuk/govuk-frontend.min.js", "/static/init.js"]:
        assert client.get(url).status_code == 200, url


def test_docs_use_local_swagger_ui(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/councils", "/api/councils/{code}", "/api/datasets", "/api/indicators"):
        assert path in paths


# -- search --------------------------------------------------------------------------------------
def test_search_cambridge_finds_cambridge_city_council(client):
    resp = client.get("/search?q=Cambridge", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == f"/council/{CAMBRIDGE}"
    page = client.get(resp.headers["location"])
    assert "Cambridge City Council" in texts(parse(page.text), "h1")
    found = client.get("/search.json?q=Cambridge").json()["results"]
    assert found[0]["gss_code"] == CAMBRIDGE and found[0]["official_name"] == "Cambridge City Council"


def test_search_results_list_type_tier_and_region(client):
    resp = client.get("/search?q=cam")
    tree = parse(resp.text)
    rows = [" ".join("".join(tr.itertext()).split()) for tr in tree.iter("tr")][1:]
    data = client.get("/search.json?q=cam").json()["results"]
    assert len(rows) == len(data) > 1
    cambridgeshire = next(r for r in rows if r.startswith("Cambridgeshire "))
    assert "county council" in cambridgeshire and "Upper tier" in cambridgeshire
    assert "East of England" in cambridgeshire


def test_search_finds_a_former_council_when_no_current_one_matches(client):
    resp = client.get("/search?q=Aylesbury")
    tree = parse(resp.text)
    assert f'href="/council/{FORMER}"' in resp.text
    assert "Abolished" in texts(tree, "strong")


# -- JSON twins ----------------------------------------------------------------------------------
def test_councils_twin_carries_the_page_data(client):
    data = client.get("/councils.json?region=London").json()
    html = client.get("/councils?region=London").text
    codes = {c["gss_code"] for c in data["councils"]}
    types = [c["la_type"] for c in data["councils"]]
    assert (types.count("London borough"), types.count("City of London")) == (32, 1)
    assert "E61000001" in codes  # the Greater London Authority
    linked = set(re.findall(r'href="/council/(E\d{8})"', html))
    assert linked == codes
    assert client.get("/api/councils?region=London").json() == data


def test_council_twin_carries_the_page_data(client, loaded_store):
    data = client.get(f"/council/{CAMBRIDGE}.json").json()
    tree = parse(client.get(f"/council/{CAMBRIDGE}").text)
    body = " ".join(texts(tree, "body"))
    assert data["council"]["official_name"] == "Cambridge City Council"
    assert data["council"]["tier"] == "lower" and data["council"]["region"] == "East of England"
    served = [c["gss_code"] for c in data["served_by"]["councils"]]
    assert served[:2] == [CAMBRIDGE, CAMBRIDGESHIRE] and COMBINED in served
    services = {r["service"]: r["body_name"] for r in data["who_delivers"]}
    assert services["Waste collection"] == "Cambridge City Council"
    assert services["Adult social care"] == "Cambridgeshire County Council"
    for service, body_name in services.items():
        assert service in body and body_name in body
    latest = hub.latest_values(loaded_store, CAMBRIDGE)
    shown = [v for t in data["themes"] for v in t["indicators"]]
    assert {v["indicator_id"] for v in shown} == {r["indicator_id"] for r in latest}
    rows = {" ".join("".join(tr.find("th").itertext()).split()): tr
            for tr in tree.iter("tr") if tr.find("th") is not None}
    for v in shown:
        title_cell = next(k for k in rows if k.startswith(v["title"]))
        cells = [" ".join("".join(td.itertext()).split()) for td in rows[title_cell].iter("td")]
        assert cells[0].startswith(format_value(v["value"], v["unit"]))
        assert cells[1] == v["period"] and cells[2] == v["dataset_title"]
    assert client.get(f"/api/councils/{CAMBRIDGE}").json() == data


def test_population_is_shown_in_people_with_its_period_and_source(client, loaded_store):
    row = next(r for r in hub.latest_values(loaded_store, CAMBRIDGE)
               if r["indicator_id"] == "population.all_ages")
    html = client.get(f"/council/{CAMBRIDGE}").text
    assert f"{row['value']:,.0f} people" in html
    assert row["period"] in html and f'href="/datasets/{row["dataset_id"]}"' in html


def test_missing_value_shows_not_available_never_zero(client, loaded_store):
    candidates = loaded_store.rows(
        "SELECT DISTINCT area_code FROM current_observations WHERE value IS NULL "
        "ORDER BY area_code")
    for cand in candidates:
        missing = [r for r in hub.latest_values(loaded_store, cand["area_code"])
                   if r["value"] is None]
        if missing:
            break
    else:
        pytest.fail("the loaded hub has no council whose latest value is missing")
    tree = parse(client.get(f"/council/{cand['area_code']}").text)
    for r in missing:
        tr = next(tr for tr in tree.iter("tr") if tr.find("th") is not None
                  and "".join(tr.find("th").itertext()).startswith(r["title"]))
        value_cell = " ".join("".join(next(tr.iter("td")).itertext()).split())
        assert value_cell.startswith(NOT_AVAILABLE)
        assert not re.match(r"^£?0\b", value_cell)
    twin = client.get(f"/council/{cand['area_code']}.json").json()
    shown = {v["indicator_id"]: v for t in twin["themes"] for v in t["indicators"]}
    assert all(shown[r["indicator_id"]]["value"] is None for r in missing)


def test_datasets_twin_and_provenance(client, loaded_store):
    data = client.get("/datasets.json").json()["datasets"]
    assert len(data) == loaded_store.scalar("SELECT count(*) FROM datasets")
    body = " ".join(texts(parse(client.get("/datasets").text), "body"))
    assert all(d["title"] in body for d in data)
    one = client.get("/datasets/1.json").json()["dataset"]
    page = " ".join(texts(parse(client.get("/datasets/1").text), "body"))
    for key in ("publisher", "licence", "file_name", "file_sha256", "loader_version"):
        assert str(one[key]) in page
    assert client.get("/api/datasets/1").json() == {"dataset": one}


def test_indicators_api(client, loaded_store):
    data = client.get("/api/indicators").json()["indicators"]
    assert {i["indicator_id"] for i in data} == {
        r["indicator_id"] for r in loaded_store.rows("SELECT indicator_id FROM indicators")}


def test_council_page_draws_a_sparkline_with_a_text_alternative(client):
    tree = parse(client.get(f"/council/{CAMBRIDGE}").text)
    svgs = [s for s in tree.iter("{http://www.w3.org/2000/svg}svg")] or list(tree.iter("svg"))
    assert svgs, "population has three periods, so it should have a sparkline"
    for svg in svgs:
        assert svg.get("role") == "img"
        title = next(e for e in svg.iter() if e.tag.endswith("title"))
        assert title.get("id") == svg.get("aria-labelledby") and "Trend over" in title.text


HIGH_PEAK = "E07000037"


def test_a_sparkline_spaces_years_by_time_and_breaks_at_missing_ones(client):
    """High Peak's RS 2022-23 is published without a value: the last step is two years wide
    and not joined."""
    page = client.get(f"/council/{HIGH_PEAK}").text
    svg = re.search(r'<svg class="wp-sparkline"[^>]*spark-rs-net_revenue_expenditure".*?</svg>',
                    page, re.S).group(0)
    tree = html5lib.parseFragment(svg, namespaceHTMLElements=False)
    lines = [e for e in tree.iter() if str(e.tag).endswith("polyline")]
    assert len(lines) == 1  # 2010-11..2021-22; 2023-24 stands alone
    xs = [float(pt.split(",")[0]) for pt in lines[0].get("points").split()]
    assert len(xs) == 12
    step = xs[1] - xs[0]
    assert all(b - a == pytest.approx(step, abs=0.2) for a, b in zip(xs, xs[1:]))
    last = next(e for e in tree.iter() if str(e.tag).endswith("circle") and e.get("r") == "3")
    assert float(last.get("cx")) - xs[-1] == pytest.approx(2 * step, abs=0.3)
    title = next(e for e in tree.iter() if str(e.tag).endswith("title")).text
    assert "No value for 2022-23: the line is broken there." in title


# -- errors --------------------------------------------------------------------------------------
def test_unknown_council_is_404_html_and_json(client):
    page = client.get("/council/E99999999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in texts(parse(page.text), "h1")
    for url in ("/council/E99999999.json", "/api/councils/E99999999"):
        resp = client.get(url)
        assert resp.status_code == 404
        assert resp.headers["content-type"] == "application/json"
        body = resp.json()
        assert set(body) == {"error", "message"}
        assert body["error"] == "NotFoundError" and "E99999999" in body["message"]


def test_json_error_shape_is_pinned(loaded_db):
    """{"error": class name, "message": text, "problems"?: [{file, line, column, message}]}."""
    app = create_app(get_settings(db=loaded_db))

    def broken():
        raise ValidationError([Problem("upload.csv", 3, "value", "Not a number: 'abc'.")])

    app.add_api_route("/api/broken", broken)
    app.add_api_route("/broken", broken)
    with TestClient(app) as c:
        resp = c.get("/api/broken")
        assert resp.status_code == 422
        assert resp.json() == {
            "error": "ValidationError",
            "message": "1 problem(s) found; nothing was loaded. Fix the file and load it again.",
            "problems": [{"file": "upload.csv", "line": 3, "column": "value",
                          "message": "Not a number: 'abc'."}],
        }
        page = c.get("/broken")
        assert page.status_code == 422
        assert "upload.csv, line 3, column value: Not a number" in " ".join(
            texts(parse(page.text), "li"))
        bad = c.get("/councils.json?tier=bogus")
        assert bad.status_code == 400 and set(bad.json()) == {"error", "message"}
        assert bad.json()["error"] == "InputError"
        unknown = c.get("/api/nowhere")
        assert unknown.status_code == 404 and unknown.json()["error"] == "NotFoundError"


def test_missing_store_says_to_run_load(tmp_path):
    app = create_app(get_settings(db=tmp_path / "nothing-here.duckdb"))
    with TestClient(app) as c:
        page = c.get("/")
        assert page.status_code == 503
        assert "wholeplace load" in " ".join(texts(parse(page.text), "p"))
        api = c.get("/api/councils")
        assert api.status_code == 503 and "wholeplace load" in api.json()["message"]
        assert c.get("/static/govuk/govuk-frontend.min.css").status_code == 200


# -- display -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "unit", "shown"), [
    (None, "gbp_thousands", NOT_AVAILABLE),
    (None, "percent", NOT_AVAILABLE),
    (0.0, "gbp_thousands", "£0"),
    (1234567.0, "gbp_thousands", "£1.2 billion"),
    (20265.0, "gbp_thousands", "£20.3 million"),
    (412.6, "gbp_per_head", "£413 per head"),
    (-43.17, "gbp_per_head", "\u2212£43 per head"),  # the sign before the pound, as sentences
    (12.345, "percent", "12.3%"),
    (124798.0, "persons", "124,798 people"),
    (23.484, "score", "23.5"),
    (0.5, "proportion", "50%"),
    (0.186, "proportion", "18.6%"),  # a proportion is shown as a percentage, never "0.186"
])
def test_format_value(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize("value, unit", [(-43.17, "gbp_per_head"), (0.186, "proportion"),
                                         (20265.0, "gbp_thousands"), (None, "percent")])
def test_the_page_and_the_sentences_write_a_number_the_same_way(value, unit):
    from wholeplace.insight.profile.sentences import format_number

    assert format_value(value, unit) == format_number(value, unit, "Not available")
    if value is not None:
        assert format_value(value, unit) == format_number(value, unit)
