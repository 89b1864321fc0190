"""The council page reads in a purposeful order: themes people, money, services, context, with a
contents list; per-head rows beside their cash rows; the unofficial deprivation re-aggregation
tucked away unless the official figures do not cover the council; and an "At a glance" built from
the same latest values. Every indicator stays on the page and in its JSON twin."""

from __future__ import annotations

import html5lib
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import get_settings
from wholeplace.hub import queries as hub
from wholeplace.web.app import create_app
from wholeplace.web.render import NOT_AVAILABLE, format_value

CAMBRIDGE = "E07000008"
HARTLEPOOL = "E06000001"  # a unitary with every theme
CUMBERLAND = "E06000063"  # formed 2023: only the unofficial deprivation re-aggregation
BOURNEMOUTH = "E06000028"  # abolished 2019
READING_ORDER = ["population", "finance", "council_tax", "adult_social_care", "children",
                 "housing", "environment", "highways", "deprivation"]


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def text(e) -> str:
    return " ".join("".join(e.itertext()).split())


def row_titles(tree) -> list[str]:
    """The row headers of the indicator tables, in document order."""
    return [text(th) for th in tree.iter("th") if th.get("scope") == "row"]


def latest(store, code):
    rows = hub.latest_values(store, code)
    assert rows, f"the loaded hub has no values for {code}"
    return rows


@pytest.mark.parametrize("code", [CAMBRIDGE, HARTLEPOOL, CUMBERLAND])
def test_every_indicator_is_kept_in_the_twin_and_on_the_page(client, loaded_store, code):
    twin = client.get(f"/council/{code}.json").json()
    shown = [v for t in twin["themes"] for v in t["indicators"]]
    rows = latest(loaded_store, code)
    assert len(shown) == len(rows)
    by_id = {v["indicator_id"]: v for v in shown}
    for r in rows:  # the same values, periods and sources as the hub's latest values
        v = by_id[r["indicator_id"]]
        assert (v["value"], v["period"], v["unit"], v["dataset_id"]) == (
            r["value"], r["period"], r["unit"], r["dataset_id"])
    titles = row_titles(parse(client.get(f"/council/{code}").text))
    for v in shown:
        assert any(t.startswith(v["title"]) for t in titles), v["indicator_id"]


def test_themes_come_in_reading_order_with_a_contents_list(client):
    page = client.get(f"/council/{HARTLEPOOL}").text
    tree = parse(page)
    twin = client.get(f"/council/{HARTLEPOOL}.json").json()
    assert [t["theme"] for t in twin["themes"]] == READING_ORDER
    nav = next(n for n in tree.iter("nav") if n.get("aria-labelledby") == "contents")
    links = [(a.get("href"), text(a)) for a in nav.iter("a")]
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    assert all(href[1:] in ids for href, _ in links), "every contents link has a target"
    theme_links = [href for href, _ in links if href.startswith("#theme-")]
    assert theme_links == [f"#{t['anchor']}" for t in twin["themes"]]
    headings = [h.get("id") for h in tree.iter("h3") if (h.get("id") or "").startswith("theme-")]
    assert headings == [t["anchor"] for t in twin["themes"]]
    # people before money before the official deprivation figures on the page itself
    titles = row_titles(tree)
    first = {ident: next(i for i, t in enumerate(titles) if t.startswith(title))
             for ident, title in (("pop", "Resident population, all ages"),
                                  ("money", "Total service expenditure"),
                                  ("imd", "IoD2019 Index of Multiple Deprivation"))}
    assert first["pop"] < first["money"] < first["imd"]


@pytest.mark.parametrize("code", [CAMBRIDGE, HARTLEPOOL])
def test_a_per_head_row_follows_its_cash_row(client, code):
    twin = client.get(f"/council/{code}.json").json()
    shown = [v for t in twin["themes"] for v in t["indicators"]]
    ids = [v["indicator_id"] for v in shown]
    pairs = [(i[: -len(".per_head")], i) for i in ids
             if i.endswith(".per_head") and i[: -len(".per_head")] in ids]
    assert len(pairs) >= 20
    for base, per_head in pairs:
        assert ids.index(per_head) == ids.index(base) + 1, per_head
    titles = row_titles(parse(client.get(f"/council/{code}").text))
    title = {v["indicator_id"]: v["title"] for v in shown}
    for base, per_head in pairs:
        at = next(i for i, t in enumerate(titles) if t.startswith(title[per_head]))
        assert titles[at - 1].startswith(title[base]) and not titles[at - 1].startswith(
            title[per_head])


def _details(tree):
    return [d for d in tree.iter("details")]


def test_the_unofficial_re_aggregation_is_behind_details_when_official_figures_exist(client):
    tree = parse(client.get(f"/council/{CAMBRIDGE}").text)
    twin = client.get(f"/council/{CAMBRIDGE}.json").json()
    dep = next(t for t in twin["themes"] if t["theme"] == "deprivation")
    unofficial = [v for v in dep["indicators"] if v["indicator_id"].startswith("imd2019_lad23.")]
    official = [v for v in dep["indicators"] if v["indicator_id"].startswith("imd2019.")]
    assert unofficial and official
    assert all(v["part"] == "unofficial" for v in unofficial)
    (details,) = _details(tree)
    assert text(details.find("summary")) == "Re-aggregated to 2023 boundaries (unofficial)"
    inside = row_titles(details)
    assert sorted(inside) == sorted(v["title"] for v in unofficial)
    outside = [t for t in row_titles(tree) if t not in inside]
    for v in official:
        assert any(t.startswith(v["title"]) for t in outside)


def test_a_council_the_official_figures_miss_shows_the_re_aggregation_and_says_why(client):
    tree = parse(client.get(f"/council/{CUMBERLAND}").text)
    twin = client.get(f"/council/{CUMBERLAND}.json").json()
    # its deprivation theme (council tax and population exist on 2023 boundaries too)
    (dep,) = [t for t in twin["themes"] if t["theme"] == "deprivation"]
    assert {v["part"] for v in dep["indicators"]} == {"unofficial"}
    assert not _details(tree)
    insets = [text(d) for d in tree.iter("div") if "govuk-inset-text" in (d.get("class") or "")]
    assert any("do not cover it" in t and "not official statistics" in t for t in insets)
    assert len(row_titles(tree)) >= len(dep["indicators"])


def _glance(tree) -> dict[str, str]:
    dl = next(d for d in tree.iter("dl") if "wp-glance" in (d.get("class") or ""))
    return {text(row.find("dt")): text(row.find("dd")) for row in dl.iter("div")}


@pytest.mark.parametrize("code", [HARTLEPOOL, CAMBRIDGE])
def test_at_a_glance_repeats_the_latest_values(client, loaded_store, code):
    rows = {r["indicator_id"]: r for r in latest(loaded_store, code)}
    glance = _glance(parse(client.get(f"/council/{code}").text))
    pop = rows["population.all_ages"]
    assert glance["Residents"].startswith(format_value(pop["value"], pop["unit"]))
    assert pop["period"] in glance["Residents"] and pop["dataset_title"] in glance["Residents"]
    spend = rows["rs.nce.total_service.per_head"]
    assert glance["Spending on services per resident"].startswith(
        format_value(spend["value"], spend["unit"]))
    res, per = rows["rs.reserves.unallocated.end"], rows["rs.reserves.unallocated.end.per_head"]
    reserves = glance["Unallocated reserves at 31 March"]
    if code == HARTLEPOOL:  # both published for 2023-24: the cash with its per-head twin
        assert res["period"] == per["period"] == "2023-24" and res["value"] is not None
        assert reserves.startswith(f"{format_value(res['value'], res['unit'])} "
                                   f"({format_value(per['value'], per['unit'])})")
    else:  # Cambridge sent no 2023-24 return ('[x]'): the cash is missing, and the per head of
        # an earlier year (2022-23) is never set beside it
        assert res["period"] == "2023-24" and res["value"] is None and res["status"] == "missing"
        assert per["period"] == "2022-23"
        assert reserves.startswith(NOT_AVAILABLE) and "per head" not in reserves
        assert "2023-24" in reserves


def test_at_a_glance_says_not_available_rather_than_zero(client, loaded_store):
    # abolished in 2019: no population estimate on its boundary is loaded (mid-2019 onwards
    # are on later boundaries), so nothing per resident either
    ids = {r["indicator_id"] for r in latest(loaded_store, BOURNEMOUTH)}
    assert "population.all_ages" not in ids and "rs.reserves.unallocated.end" in ids
    glance = _glance(parse(client.get(f"/council/{BOURNEMOUTH}").text))
    assert glance["Residents"].startswith(NOT_AVAILABLE)
    assert glance["Spending on services per resident"].startswith(NOT_AVAILABLE)
    assert "per head" not in glance["Unallocated reserves at 31 March"]  # cash only
    twin = client.get(f"/council/{BOURNEMOUTH}.json").json()
    assert [g["value"] for g in twin["at_a_glance"]][:2] == [None, None]


@pytest.mark.parametrize("code", [CAMBRIDGE, CUMBERLAND])
def test_the_place_profile_link_comes_before_the_details(client, code):
    tree = parse(client.get(f"/council/{code}").text)
    main = tree.find(".//main")
    links = [a.get("href") for a in main.iter("a")]
    assert links[0] == f"/council/{code}/profile"
