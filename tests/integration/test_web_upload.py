"""Uploading through the web: a Cambridge analyst's file lands private to Cambridge; every
problem is listed with its file, line and column in the error summary and the JSON twin; an
oversized, non-UTF-8, malformed or wrong-type file is refused with nothing stored; publishing;
the list of the organisation's uploads; and the audit trail after each. Runs on SQLite and
PostgreSQL. Every uploaded value is test data (illustrative, never a published figure)."""

from __future__ import annotations

import shutil
import threading

import pytest
from fastapi.testclient import TestClient

from tests.access_support import CAMBRIDGE, SOUTH_CAMBS, parse, populate, settings_for, sign_in
from wholeplace.access import audit
from wholeplace.appdb import session_factory
from wholeplace.web.app import create_app

METADATA = b"""\
# Test fixture metadata (illustrative values, not real data).
- id: fixture.web_upload_count
  title: "Example indicator (illustrative values) <img src=x onerror=alert(1)>"
  unit: count
  theme: environment
"""
GOOD = (b"area_code,period,indicator_id,value\n"
        b"E07000008,2022-23,fixture.web_upload_count,4321\n"
        b"E07000012,2022-23,fixture.web_upload_count,1234\n")
TITLE = "Test upload <script>alert('t')</script>"


@pytest.fixture
def hub(register_db, tmp_path):
    path = tmp_path / "hub.duckdb"
    shutil.copy(register_db, path)
    return path


def make_client(app_engine, app_url, hub, **extra):
    populate(app_engine)
    app = create_app(settings_for(hub, app_url, hub_writable=True, **extra))
    return TestClient(app)


@pytest.fixture
def web(app_engine, app_url, hub):
    with make_client(app_engine, app_url, hub) as client:
        yield client


def token_of(client: TestClient) -> str:
    from tests.access_support import token_in

    return token_in(client.get("/upload").text)


def post(client: TestClient, data: tuple[str, bytes] | None, meta=("meta.yaml", METADATA),
         path: str = "/upload", **fields: str):
    files = {}
    if data is not None:
        files["data"] = (data[0], data[1], "application/octet-stream")
    if meta is not None:
        files["metadata"] = (meta[0], meta[1], "application/octet-stream")
    return client.post(path, data={"csrf_token": token_of(client), **fields}, files=files,
                       follow_redirects=False)


def snapshot(client: TestClient) -> dict:
    with client.app.state.stores.cursor() as store:  # type: ignore[attr-defined]
        return store.snapshot()


def actions(app_engine, org: str | None = CAMBRIDGE) -> list[dict]:
    with session_factory(app_engine)() as s:
        return [audit.as_row(e) for e in audit.entries(s, org)]


def test_an_analyst_uploads_privately_and_the_upload_is_audited(web, app_engine):
    sign_in(web, "analyst@cambridge.example")
    form = web.get("/upload")
    assert form.status_code == 200
    parse(form.text)
    answer = post(web, ("recycling.csv", GOOD), title=TITLE)
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"].startswith("/uploads?loaded=")
    listing = web.get(answer.headers["location"])
    parse(listing.text)
    assert "is loaded. It is private to Cambridge" in listing.text
    assert "<script>alert" not in listing.text and "&lt;script&gt;" in listing.text
    mine = web.get("/uploads.json").json()
    assert len(mine) == 1 and mine[0]["visibility"] == "private"
    assert mine[0]["shared_with"] == [] and mine[0]["row_count"] == 2
    dataset_id = mine[0]["dataset_id"]
    council = web.get(f"/council/{CAMBRIDGE}")
    assert "4,321" in council.text
    assert "onerror=alert(1)>" not in council.text and "&lt;img" in council.text
    entries = actions(app_engine)
    upload = next(e for e in entries if e["action"] == "dataset.upload")
    assert upload["target"] == f"dataset:{dataset_id}" and upload["ip"]
    assert upload["actor"] == "analyst@cambridge.example"
    assert upload["detail"]["rows"] == 2 and upload["detail"]["visibility"] == "private"
    views = [e for e in entries if e["action"] == "data.view_private"]
    assert any(e["detail"]["path"] == f"/council/{CAMBRIDGE}" for e in views)
    assert all(e["detail"]["datasets"] == [dataset_id] for e in views)
    # nobody else sees it, and the public views that show nothing private are not audited
    web.cookies.clear()
    assert "4,321" not in web.get(f"/council/{CAMBRIDGE}").text
    assert TITLE not in web.get("/datasets.json").text
    assert web.get(f"/datasets/{dataset_id}.json").status_code == 404
    assert [e for e in actions(app_engine, None) if e["actor"] == "anonymous"
            and e["action"] == "data.view_private"] == []


BAD = (b"area_code,period,indicator_id,value\n"
       b"E07000008,2022-23,fixture.web_upload_count,12\n"
       b"X99,2022-23,fixture.web_upload_count,3\n"
       b"E07000012,not-a-period,fixture.web_upload_count,abc\n")


def test_every_problem_is_in_the_error_summary_and_the_json_twin_and_nothing_is_stored(
        web, app_engine):
    sign_in(web, "analyst@cambridge.example")
    before = snapshot(web)
    page = post(web, ("bad.csv", BAD))
    assert page.status_code == 422
    tree = parse(page.text)
    summary = tree.find(".//div[@class='govuk-error-summary']")
    assert summary is not None
    links = summary.findall(".//a")
    assert len(links) >= 3 and {a.get("href") for a in links} == {"#data"}
    text = " ".join("".join(a.itertext()) for a in links)
    assert "bad.csv, line 3, column 'area_code'" in text
    assert "bad.csv, line 4, column 'period'" in text
    assert "bad.csv, line 4, column 'value'" in text
    assert "<title>Error: " in page.text
    twin = post(web, ("bad.csv", BAD), path="/upload.json")
    assert twin.status_code == 422
    body = twin.json()
    located = {(p["file"], p["line"], p["column"]) for p in body["problems"]}
    assert {("bad.csv", 3, "area_code"), ("bad.csv", 4, "period"),
            ("bad.csv", 4, "value")} <= located
    assert body["errors"] and all(e["field"] == "data" for e in body["errors"])
    bad_meta = post(web, ("bad.csv", GOOD), meta=("meta.yaml", b"- id: Not An Id\n"))
    assert bad_meta.status_code == 422
    assert 'href="#metadata"' in bad_meta.text and "meta.yaml" in bad_meta.text
    assert snapshot(web) == before
    refused = [e for e in actions(app_engine) if e["action"] == "dataset.upload_refused"]
    assert len(refused) == 3 and refused[0]["detail"]["problems"] >= 1


@pytest.mark.parametrize("name, content, phrase", [
    ("latin1.csv", b"area_code,period,indicator_id,value\nE07000008,2022-23,"
                   b"fixture.web_upload_count,1\nE07000008,2021-22,caf\xe9,2\n", "not UTF-8"),
    ("report.pdf", b"%PDF-1.4 test", "must be a CSV (.csv) or an Excel workbook"),
    ("fake.xlsx", b"area_code,period\n", "is not an Excel workbook"),
    ("binary.csv", b"\x00\x01\x02\x03", "not a text CSV file"),
    ("empty.csv", b"", "is empty"),
    ("noheader.csv", b"just some words\n", "bad"),
])
def test_malformed_and_wrong_type_files_are_refused_with_nothing_stored(web, name, content,
                                                                        phrase):
    sign_in(web, "analyst@cambridge.example")
    before = snapshot(web)
    page = post(web, (name, content))
    assert page.status_code == 422
    if phrase != "bad":
        assert phrase in page.text, page.text[:3000]
    assert 'class="govuk-error-summary"' in page.text
    assert snapshot(web) == before


def test_a_missing_file_and_a_bad_date_are_linked_to_their_fields(web):
    sign_in(web, "analyst@cambridge.example")
    page = post(web, None, meta=None, released_on="31/12/2024")
    assert page.status_code == 422
    assert 'href="#data"' in page.text and 'href="#released_on"' in page.text
    assert 'value="31/12/2024"' in page.text


def test_an_oversized_upload_is_refused_with_413_and_nothing_stored(app_engine, app_url, hub):
    with make_client(app_engine, app_url, hub, upload_max_bytes=4096) as web:
        sign_in(web, "analyst@cambridge.example")
        before = snapshot(web)
        big = GOOD + b"".join(b"E07000008,20%02d-%02d,fixture.web_upload_count,1\n"
                              % (y % 100, (y + 1) % 100) for y in range(1990, 2090)) * 3
        page = post(web, ("big.csv", big))
        assert page.status_code == 413
        assert "larger than" in page.text and "nothing was loaded" in page.text
        twin = post(web, ("big.csv", big), path="/upload.json")
        assert twin.status_code == 413 and twin.json()["error"] == "UploadTooLarge"
        assert snapshot(web) == before
        assert post(web, ("small.csv", GOOD)).status_code == 303


def test_the_owner_publishes_others_cannot_and_refusals_are_audited(web, app_engine):
    sign_in(web, "analyst@cambridge.example")
    assert post(web, ("recycling.csv", GOOD)).status_code == 303
    dataset_id = web.get("/uploads.json").json()[0]["dataset_id"]
    web.cookies.clear()
    # another organisation's analyst: as if the dataset did not exist
    sign_in(web, "two@example.org")
    choose = web.get("/choose-organisation")
    from tests.access_support import token_in

    web.post("/choose-organisation", data={"organisation": SOUTH_CAMBS,
                                           "csrf_token": token_in(choose.text)})
    other = web.post(f"/uploads/{dataset_id}/publish", data={"csrf_token": token_of(web)},
                     follow_redirects=False)
    assert other.status_code == 404
    assert web.get("/uploads.json").json() == []
    web.cookies.clear()
    # the owner's viewer: refused, and the refusal audited
    sign_in(web, "viewer@cambridge.example")
    viewer_token = token_in(web.get("/sign-in").text)
    refused = web.post(f"/uploads/{dataset_id}/publish", data={"csrf_token": viewer_token},
                       follow_redirects=False)
    assert refused.status_code == 403
    assert web.get("/upload").status_code == 403
    denied = [e for e in actions(app_engine) if e["action"] == "access.refused"]
    assert {e["detail"]["action"] for e in denied} == {"dataset.publish", "dataset.upload"}
    assert all(e["actor"] == "viewer@cambridge.example" and e["ip"] for e in denied)
    web.cookies.clear()
    sign_in(web, "analyst@cambridge.example")
    done = web.post(f"/uploads/{dataset_id}/publish", data={"csrf_token": token_of(web)},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == \
        f"/uploads?published={dataset_id}"
    assert web.get("/uploads.json").json()[0]["visibility"] == "public"
    published = next(e for e in actions(app_engine) if e["action"] == "dataset.publish")
    assert published["target"] == f"dataset:{dataset_id}"
    assert published["detail"]["published_by"] == "analyst@cambridge.example"
    again = web.post(f"/uploads/{dataset_id}/publish", data={"csrf_token": token_of(web)},
                     follow_redirects=False)
    assert again.status_code == 400 and "already public" in again.text
    web.cookies.clear()
    assert "4,321" in web.get(f"/council/{CAMBRIDGE}").text


def test_a_read_during_a_load_succeeds(web):
    sign_in(web, "analyst@cambridge.example")
    with web.app.state.stores.cursor() as store:  # type: ignore[attr-defined]
        areas = [r[0] for r in store.execute(
            "SELECT gss_code FROM places WHERE current AND tier IN ('lower', 'single') "
            "ORDER BY gss_code").fetchall()]
    rows = [f"{a},{y}-{(y + 1) % 100:02d},fixture.web_upload_count,{n}".encode()
            for n, a in enumerate(areas) for y in range(2000, 2020)]
    big = b"area_code,period,indicator_id,value\n" + b"\n".join(rows) + b"\n"
    token = token_of(web)
    done = threading.Event()
    result: dict[str, object] = {}

    def upload() -> None:
        files = {"data": ("many.csv", big, "text/csv"),
                 "metadata": ("meta.yaml", METADATA, "application/yaml")}
        result["answer"] = web.post("/upload", data={"csrf_token": token}, files=files,
                                    follow_redirects=False)
        done.set()

    reader = TestClient(web.app)
    thread = threading.Thread(target=upload)
    thread.start()
    during = []
    while not done.is_set():
        answer = reader.get(f"/council/{CAMBRIDGE}.json")
        during.append((answer.status_code, done.is_set()))
    thread.join(120)
    assert result["answer"].status_code == 303  # type: ignore[attr-defined]
    assert any(not finished for _, finished in during), "no read overlapped the load"
    assert {status for status, _ in during} == {200}


def test_a_read_only_hub_says_uploads_cannot_be_loaded_here(app_engine, app_url, hub):
    populate(app_engine)
    with TestClient(create_app(settings_for(hub, app_url))) as web:
        sign_in(web, "analyst@cambridge.example")
        form = web.get("/upload")
        assert "uploads cannot be loaded here" in form.text
        before = snapshot(web)
        page = post(web, ("recycling.csv", GOOD))
        assert page.status_code == 422 and "WHOLEPLACE_HUB_WRITABLE" in page.text
        assert snapshot(web) == before
