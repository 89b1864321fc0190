"""The place profile on the real loaded hub: every section for four kinds of council, the LSOA
deciles, the group switch, the page and its JSON twin, the PDF, the XLSX and the CLI."""

from __future__ import annotations

import base64
import io
import re
import zlib

import html5lib
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from wholeplace.cli.main import app as cli
from wholeplace.config import get_settings
from wholeplace.hub import queries as hub
from wholeplace.insight.profile.build import build_profile
from wholeplace.report.pdf import profile_pdf
from wholeplace.web.app import create_app

CAMBRIDGE, CAMBRIDGESHIRE, CAMDEN, HARTLEPOOL = "E07000008", "E10000003", "E09000007", "E06000001"
COMBINED = "E47000008"
COUNCILS = [CAMBRIDGE, CAMBRIDGESHIRE, CAMDEN, HARTLEPOOL]
SECTIONS = ("served", "context", "outcomes", "children", "trends", "flags", "spend")


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def lsoa_count(store, code: str, county: bool) -> int:
    column = "county_gss_code" if county else "la_gss_code"
    return store.scalar(f"SELECT count(*) FROM lsoas WHERE {column} = ?", [code])


@pytest.mark.parametrize("code", COUNCILS)
def test_every_section_is_built_from_the_hub(loaded_store, code):
    p = build_profile(loaded_store, code)
    assert {k: p[k]["status"] for k in SECTIONS} == {k: "available" for k in SECTIONS}
    lsoas = p["context"]["lsoas"]
    expected = lsoa_count(loaded_store, code, county=code == CAMBRIDGESHIRE)
    assert expected > 0 and lsoas["total"] == expected
    assert sum(d["count"] for d in lsoas["deciles"]) == expected
    assert [d["decile"] for d in lsoas["deciles"]] == list(range(1, 11))
    assert abs(sum(d["share"] for d in lsoas["deciles"]) - 1) < 1e-9
    for row in p["outcomes"]["indicators"]:  # the hub's latest value (the latest period with
        series = hub.series(loaded_store, row["indicator_id"], code)  # one, saying so if newer)
        latest = ([x for x in series if x["value"] is not None] or series)[-1]
        assert (row["period"], row["value"]) == (latest["period"], latest["value"])
        if series[-1]["period"] != row["period"]:
            assert row["newer"]["period"] == series[-1]["period"]
            assert row["newer"]["note"].endswith(f"; showing {row['period']}")
        assert row["sentence"].startswith(row["title"])
    assert p["sentences"] and all(s["text"].endswith(".") for s in p["sentences"])
    assert {s["source_id"] for s in p["sources"]} >= {"la_register", "imd2019_lsoa"}
    assert all(s["licence"] for s in p["sources"])


def test_a_county_counts_its_districts_lsoas(loaded_store):
    p = build_profile(loaded_store, CAMBRIDGESHIRE)
    districts = [c["gss_code"] for c in p["served"]["served_by"]["children"]]
    assert p["context"]["lsoas"]["total"] == sum(lsoa_count(loaded_store, d, False)
                                                 for d in districts)


def test_a_district_without_care_outcomes_says_who_reports_them(loaded_store):
    p = build_profile(loaded_store, CAMBRIDGE)
    assert "Cambridgeshire County Council" in p["outcomes"]["outcomes_note"]


def test_sections_without_data_say_why(loaded_store):
    p = build_profile(loaded_store, COMBINED)
    assert p["served"]["status"] == "available"
    assert p["outcomes"]["status"] == "not available"
    assert "combined authority" in p["outcomes"]["reason"]
    assert p["spend"]["status"] == "not available" and p["spend"]["reason"]


def _switch(loaded_store, code):
    """An indicator whose verdict depends on the group, and two groups giving different ones."""
    p = build_profile(loaded_store, code)
    for row in p["outcomes"]["indicators"]:
        verdicts = {s["method"]: s["verdict"] for s in row["sensitivity"]
                    if s["verdict"] not in ("not_enough_data", "not_available")}
        if row["depends_on_group"] and len(set(verdicts.values())) > 1:
            (a, va), (b, vb) = next((x, y) for x in verdicts.items() for y in verdicts.items()
                                    if x[1] != y[1])
            return row["indicator_id"], a, va, b, vb
    pytest.fail(f"no indicator of {code} has a verdict that depends on the group")


def _row(p, indicator):
    return next(r for r in p["outcomes"]["indicators"] if r["indicator_id"] == indicator)


def test_switching_the_group_changes_the_verdict_the_sensitivity_predicts(loaded_store):
    indicator, a, va, b, vb = _switch(loaded_store, CAMBRIDGESHIRE)
    pa, pb = build_profile(loaded_store, CAMBRIDGESHIRE, a), build_profile(
        loaded_store, CAMBRIDGESHIRE, b)
    ra, rb = _row(pa, indicator), _row(pb, indicator)
    assert (ra["group"]["verdict"], rb["group"]["verdict"]) == (va, vb)
    assert ra["sentence"] != rb["sentence"]
    assert pa["outcomes"]["group"]["label"] != pb["outcomes"]["group"]["label"]


# -- the page and its twin ----------------------------------------------------------------------
@pytest.mark.parametrize("code", [*COUNCILS, COMBINED])
def test_the_page_is_valid_html_with_described_charts(client, code):
    resp = client.get(f"/council/{code}/profile")
    assert resp.status_code == 200, resp.text[:500]
    tree = parse(resp.text)
    assert len(list(tree.iter("h1"))) == 1
    svgs = [e for e in tree.iter() if str(e.tag).endswith("svg") and "wp-chart" in
            (e.get("class") or "")]
    for svg in svgs:
        tags = [str(c.tag).split("}")[-1] for c in svg]
        assert tags[:2] == ["title", "desc"] and svg.get("role") == "img"
    if code != COMBINED:
        assert len(svgs) >= 2  # the spine chart and the deciles chart at least
        assert f'href="/council/{code}/profile.pdf?group=ours"' in resp.text
        assert f'href="/council/{code}/profile.xlsx?group=ours"' in resp.text
    else:
        assert "is not available because" in resp.text


def test_the_twin_has_the_page_data(client, loaded_store):
    page = client.get(f"/council/{CAMDEN}/profile?group=cipfa").text
    data = client.get(f"/council/{CAMDEN}/profile.json?group=cipfa").json()
    assert data["group"] == "cipfa"
    assert data["outcomes"]["group"]["label"] in page
    for s in data["sentences"]:
        assert s["text"].replace("'", "&#39;") in page
    # the deciles sentence counts Camden's most deprived LSOAs as the hub has them (0 is a
    # real count here, not a missing value), and the page shows it
    total = loaded_store.scalar("SELECT count(*) FROM lsoas WHERE la_gss_code = ?", [CAMDEN])
    most = loaded_store.scalar(
        "SELECT count(*) FROM lsoas JOIN lsoa_deprivation USING (lsoa11_code) "
        "WHERE la_gss_code = ? AND domain = 'imd' AND decile = 1", [CAMDEN])
    deciles = next(s["text"] for s in data["sentences"] if "neighbourhoods (LSOAs" in s["text"])
    assert deciles.startswith(f"{most:,} of Camden's {total:,} neighbourhoods (LSOAs, ")
    assert deciles.replace("'", "&#39;") in page


def test_the_page_follows_the_group(client, loaded_store):
    indicator, a, va, b, vb = _switch(loaded_store, CAMBRIDGESHIRE)
    pages = {m: client.get(f"/council/{CAMBRIDGESHIRE}/profile?group={m}").text for m in (a, b)}

    def band(html):
        row = re.search(rf'data-indicator="{re.escape(indicator)}".*?</tr>', html, re.S).group(0)
        return re.search(r'wp-band">([^<]+)<', row).group(1)
    assert band(pages[a]) != band(pages[b])
    spine = [re.search(r'<svg[^>]*id="spine".*?</svg>', pages[m], re.S).group(0) for m in (a, b)]
    assert spine[0] != spine[1]
    assert 'checked' in re.search(rf'<input[^>]*value="{b}"[^>]*>', pages[b]).group(0)


def test_a_group_the_council_cannot_have_is_a_clear_error(client):
    resp = client.get(f"/council/{HARTLEPOOL}/profile.json?group=county")
    assert resp.status_code == 400
    assert resp.json()["error"] == "InputError"
    assert "not a shire district" in resp.json()["message"]
    assert client.get(f"/council/{HARTLEPOOL}/profile?group=nonsense").status_code == 400
    assert client.get("/council/E99999999/profile").status_code == 404


def test_the_council_page_links_to_its_profile(client):
    assert f'href="/council/{CAMBRIDGE}/profile"' in client.get(f"/council/{CAMBRIDGE}").text


# -- PDF and XLSX -------------------------------------------------------------------------------
def pdf_text(body: bytes) -> str:
    """The text in a PDF's content streams, decoded as reportlab writes them (ASCII85, then
    Flate): a round trip through the two standard PDF filters."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        data = raw.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        out.append(data.decode("latin-1"))
    return "".join(out)


def test_the_pdf_is_a_pdf_with_the_council_and_its_sources(client, loaded_store):
    body = profile_pdf(build_profile(loaded_store, CAMBRIDGESHIRE))
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "Cambridgeshire County Council" in text
    assert "Sources and licences" in text and "OGL-UK-3.0" in text
    resp = client.get(f"/council/{CAMBRIDGESHIRE}/profile.pdf?group=region")
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")


def test_the_xlsx_has_the_twin_numbers(client):
    data = client.get(f"/council/{HARTLEPOOL}/profile.json").json()
    resp = client.get(f"/council/{HARTLEPOOL}/profile.xlsx")
    book = load_workbook(io.BytesIO(resp.content))
    assert {"Summary", "Context", "Compared", "Trends", "Flags", "Spend", "Sources"} <= set(
        book.sheetnames)
    sheet = book["Compared"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    for ind in data["outcomes"]["indicators"]:
        got = rows[ind["indicator_id"]]
        same = pytest.approx  # XLSX keeps 15 significant digits of a float
        assert got["value"] == (None if ind["value"] is None else same(ind["value"], rel=1e-12))
        assert got["group_median"] == (None if ind["group"]["median"] is None
                                       else same(ind["group"]["median"], rel=1e-12))
        assert got["band"] == ind["group"]["band"]
        if ind["value"] is None:
            assert got["status"] != "published"
    trends = book["Trends"]
    gaps = [r for r in trends.iter_rows(min_row=2, values_only=True) if r[3] is None]
    assert gaps and all(r[4] and r[4] != "published" for r in gaps)  # empty, with a status


def test_the_cli_writes_the_pdf_and_xlsx(loaded_db, tmp_path):
    pdf, xlsx = tmp_path / "p.pdf", tmp_path / "p.xlsx"
    result = CliRunner().invoke(cli, ["--db", str(loaded_db), "profile", CAMDEN, "--pdf",
                                      str(pdf), "--xlsx", str(xlsx), "--group", "region"])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF") and "Camden" in pdf_text(pdf.read_bytes())
    assert load_workbook(xlsx)["Summary"].max_row > 1
    refused = CliRunner().invoke(cli, ["--db", str(loaded_db), "profile", CAMDEN])
    assert refused.exit_code == 1 and "--pdf" in refused.output


# -- services the council does not deliver --------------------------------------------------------
CARE_AND_SCHOOLS = {"rs.nce.adult_social_care.per_head", "rs.nce.childrens_social_care.per_head",
                    "rs.nce.education.per_head"}


def test_a_district_is_not_compared_on_services_its_county_delivers(loaded_store, client):
    p = build_profile(loaded_store, CAMBRIDGE)
    out = p["outcomes"]
    na = {r["indicator_id"]: r for r in out["not_applicable"]}
    assert set(na) == CARE_AND_SCHOOLS
    for i, r in na.items():  # published zeros, not missing values
        latest = hub.series(loaded_store, i, CAMBRIDGE)[-1]
        assert latest["value"] == 0 and r["value"] == 0
        assert r["reason"] == "delivered by Cambridgeshire County Council"
    shown = {r["indicator_id"] for r in out["indicators"]}
    assert not shown & CARE_AND_SCHOOLS
    assert "rs.nce.highways_transport.per_head" in shown  # a district spends on some transport
    assert not set(out["depends_on_group"]) & CARE_AND_SCHOOLS
    assert not {t["indicator_id"] for t in p["trends"]["indicators"]} & {
        i.removesuffix(".per_head") for i in CARE_AND_SCHOOLS}
    note = out["not_applicable_note"]
    assert "adult social care, children's social care and education" in note
    assert "Cambridgeshire County Council delivers here" in note
    page = client.get(f"/council/{CAMBRIDGE}/profile").text
    spine = re.search(r'<svg[^>]*id="spine".*?</svg>', page, re.S).group(0)
    table = re.search(r'<table[^>]*id="outcomes-table".*?</table>', page, re.S).group(0)
    for r in na.values():
        assert r["title"] not in spine and r["indicator_id"] not in table
        assert all(not s["text"].startswith(r["title"]) for s in p["sentences"])
    assert page.count(note.replace("'", "&#39;")) == 1


def test_a_unitary_is_compared_on_care_and_schools(loaded_store):
    p = build_profile(loaded_store, HARTLEPOOL)
    assert p["outcomes"]["not_applicable"] == [] and p["outcomes"]["not_applicable_note"] is None
    rows = {r["indicator_id"]: r for r in p["outcomes"]["indicators"]}
    assert CARE_AND_SCHOOLS <= set(rows)
    for i in CARE_AND_SCHOOLS:
        assert rows[i]["value"] > 0 and rows[i]["group"]["verdict"] != "not_available"


# -- whole-place spending table -------------------------------------------------------------------
# Northumberland, RS 2023-24: the North of Tyne Combined Authority has no figures in the hub.
NORTHUMBERLAND = "E06000057"


def test_every_spending_cell_is_under_its_own_heading(client, loaded_store):
    p = build_profile(loaded_store, NORTHUMBERLAND)
    assert p["spend"]["period"] == "2023-24"
    tiers = {t["name"]: t["status"] for t in p["spend"]["tiers"]}
    assert tiers == {"Northumberland": "reported", "North of Tyne": "no_figures"}
    page = client.get(f"/council/{NORTHUMBERLAND}/profile").text
    table = next(t for t in parse(page).iter("table")
                 if "Spending per resident" in "".join(t.find("caption").itertext()))
    header = [" ".join("".join(c.itertext()).split()) for c in table.find("thead").iter("th")]
    assert header == ["Service", "Northumberland", "North of Tyne", "All tiers"]
    body = table.find("tbody").findall("tr")
    assert len(body) == len(p["spend"]["lines"]) + len(p["spend"]["totals"])
    for tr in body:
        cells = [" ".join("".join(c.itertext()).split()) for c in tr if c.tag in ("th", "td")]
        assert len(cells) == len(header), cells
        assert cells[2] == "No figures"  # the combined authority's column, never a blank
    education = next(tr for tr in body if "".join(tr.find("th").itertext()) == "Education")
    own = hub.series(loaded_store, "rs.nce.education.per_head", NORTHUMBERLAND)[-1]["value"]
    assert "".join(education.findall("td")[0].itertext()) == f"£{own:,.0f} per head"


# -- trends of money in cash terms ----------------------------------------------------------------
def test_spending_trends_use_every_cash_year(loaded_store):
    p = build_profile(loaded_store, CAMBRIDGE)
    trends = {t["indicator_id"]: t for t in p["trends"]["indicators"]}
    nre = trends["rs.net_revenue_expenditure"]
    cash = [r for r in hub.series(loaded_store, "rs.net_revenue_expenditure", CAMBRIDGE)
            if r["value"] is not None]
    assert len(cash) >= 6 and nre["trend"]["n"] == len(cash)
    # 2023-24 is '[x]' for Cambridge: the trend ends at the last published year
    assert (nre["trend"]["first"], nre["trend"]["last"]) == (cash[0]["period"], "2022-23")
    assert nre["trend"]["basis"] == "cash" and nre["gaps"] == []
    assert nre["trend"]["direction"] != "not available"
    row = next(r for r in p["outcomes"]["indicators"]
               if r["indicator_id"] == "rs.net_revenue_expenditure.per_head")
    assert row["trend"] is nre["trend"]
    assert "in cash terms since 2010-11" in row["sentence"]
    assert "too few years" not in row["sentence"]


# -- plain words for residents --------------------------------------------------------------------
NORTHAMPTONSHIRE = "E10000021"


def test_a_former_council_says_why_in_plain_words(loaded_store, client):
    p = build_profile(loaded_store, NORTHAMPTONSHIRE)
    reason = p["outcomes"]["reason"]
    assert reason == ("Northamptonshire County Council was abolished in 2021; comparisons are "
                      "made for current councils — see North Northamptonshire Council and West "
                      "Northamptonshire Council")
    page = client.get(f"/council/{NORTHAMPTONSHIRE}/profile").text
    assert "universe" not in page and "Use universe=" not in page
    assert "abolished in 2021" in page


def test_the_sensitivity_line_names_the_groups_not_their_ids(client, loaded_store):
    from wholeplace.insight.profile.build import GROUP_LABELS

    page = client.get(f"/council/{CAMBRIDGESHIRE}/profile").text
    lines = re.findall(r'wp-depends">Depends on the group: ([^<]+)<', page)
    assert lines
    for line in lines:
        parts = [part.split(":")[0].strip() for part in line.split(";")]
        assert set(parts) <= set(GROUP_LABELS.values()), parts
        assert not re.search(r"\b(ours|cipfa|region|county) ", line)


def test_the_flags_quote_the_councils_with_a_value(loaded_store, client):
    p = build_profile(loaded_store, CAMBRIDGE)
    # (the debt measures have no value for anyone in 2023-24: n = 0, left out of the count)
    ns = sorted({f["comparators"]["n"] for f in p["flags"]["indicators"]
                 if f["comparators"] and f["comparators"]["n"]})
    size = p["flags"]["comparators"]["size"]
    # RS 2023-24: 164 shire districts, 153 of them with a value for every flagged indicator
    assert (ns, size) == ([153], 164)  # the group size is not the count
    assert p["flags"]["compared_with"] == "153 shire districts in England with a value (of 164)"
    page = client.get(f"/council/{CAMBRIDGE}/profile").text
    assert f"compared with the {size} shire districts" not in page
    assert p["flags"]["compared_with"] in page


def test_population_notes_and_one_neighbourhood_read_correctly(loaded_store):
    from wholeplace.insight.profile.build import population_note

    assert population_note("published") is None
    assert population_note("sum of 5 districts") == (
        "Population is the sum of the ONS estimates for its 5 districts, added up by "
        "wholeplace.")
    p = build_profile(loaded_store, CAMBRIDGESHIRE)
    # the county's own ONS estimate is loaded (MYE23), so no note on a summed population
    assert p["context"]["population"]["note"] is None
    scilly = build_profile(loaded_store, "E06000053")
    assert scilly["context"]["lsoas"]["total"] == 1
    text = " ".join(s["text"] for s in scilly["sentences"])
    assert "only neighbourhood (LSOA)" in text and "1 neighbourhoods" not in text
