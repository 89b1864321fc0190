"""Who sees which data, end to end on a real hub: a council's private upload is invisible to the
public and to another council on every page, JSON twin, API, export, search, comparison and
total, while its owner sees it; publishing it shows it to everyone, at once (caches included);
guessing its dataset id answers as if it did not exist.

The uploaded values are illustrative fixture values (clearly labelled), never real data. The
viewer is set per request by a test-only middleware (the product's sign-in sets it in the
access layer): the header ``X-Test-Org`` names the organisation the request acts for.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import zlib
from pathlib import Path

import html5lib
import openpyxl
import pytest
from fastapi.testclient import TestClient

from wholeplace.config import Settings
from wholeplace.hub.store import Store, open_store
from wholeplace.hub.uploads import load_file, publish_dataset
from wholeplace.hub.visibility import Viewer
from wholeplace.insight.comparison import compare
from wholeplace.insight.early_warning import resilience
from wholeplace.insight.peers import groups
from wholeplace.web.app import create_app
from wholeplace.web.deps import load_upload_for

OWNER = "E07000008"  # Cambridge: council A, whose upload is private
OTHER = "E07000012"  # South Cambridgeshire: council B
#: The other Cambridgeshire districts, given public illustrative values of FIXTURE_RATE.
PUBLIC_RATES = {"E07000009": 41.0, "E07000010": 43.0, "E07000011": 45.0, OTHER: 47.0}
FIXTURE_RATE = "fixture.visibility_rate"
PRIVATE_ONLY = "fixture.private_only"
PERIOD = "2023-24"
#: A's private values (illustrative): distinctive, so their printed forms cannot occur by chance.
PRIVATE_RATE = 87.6543
PRIVATE_COUNT = 12345.6789
PRIVATE_SPEND = 54321.987  # gbp_thousands, for a financial year no RS release covers
PRIVATE_FORMS = ("87.6543", "87.65", "87.7%", "12345.6789", "12,346", "12345.68",
                 "54321.987", "54,321.987", "54,322", "£54.3 million", "fixture.private_only",
                 "Private fixture count")

METADATA = f"""\
# Test fixture metadata (illustrative values, not real data).
- id: {FIXTURE_RATE}
  title: "Example indicator (illustrative values): visibility rate"
  unit: percent
  polarity: higher_is_better
  kind: outcome
  theme: environment
"""
PRIVATE_METADATA = METADATA + f"""\
- id: {PRIVATE_ONLY}
  title: "Private fixture count (illustrative values)"
  unit: count
  theme: environment
"""


def _write(folder: Path, name: str, rows: list[tuple]) -> Path:
    path = folder / name
    lines = ["area_code,period,indicator_id,value"] + [",".join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _next_rs_year(store: Store) -> str:
    last = store.scalar("SELECT max(period_start) FROM current_observations "
                        "WHERE indicator_id = 'rs.nce.total_service'")
    return f"{last.year + 1}-{(last.year + 2) % 100:02d}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("visibility")


@pytest.fixture(scope="module")
def hub_path(loaded_db, folder) -> Path:
    """The loaded hub plus a public illustrative upload of FIXTURE_RATE for four districts."""
    path = folder / "hub.duckdb"
    shutil.copy(loaded_db, path)
    meta = folder / "public.yaml"
    meta.write_text(METADATA, encoding="utf-8")
    with open_store(path) as store:
        load_file(store, _write(folder, "public_rates.csv",
                                [(c, PERIOD, FIXTURE_RATE, v) for c, v in PUBLIC_RATES.items()]),
                  metadata=meta, publisher="Fixture partnership")
    return path


def private_files(folder: Path, store: Store) -> tuple[Path, Path]:
    meta = folder / "private.yaml"
    meta.write_text(PRIVATE_METADATA, encoding="utf-8")
    data = _write(folder, "private_a.csv", [
        (OWNER, PERIOD, FIXTURE_RATE, PRIVATE_RATE),
        (OWNER, PERIOD, PRIVATE_ONLY, PRIVATE_COUNT),
        (OWNER, _next_rs_year(store), "rs.nce.total_service", PRIVATE_SPEND),
    ])
    return data, meta


class ViewerFromHeader:
    """Test-only ASGI middleware: ``X-Test-Org: CODE`` makes the request read as CODE."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            org = headers.get(b"x-test-org")
            if org:
                scope.setdefault("state", {})["viewer"] = Viewer.for_org(org.decode())
        await self.app(scope, receive, send)


def make_client(path: Path) -> TestClient:
    app = create_app(Settings(db=path, hub_writable=True))
    app.add_middleware(ViewerFromHeader)
    return TestClient(app)


def clear_caches() -> None:
    """Forget the process-wide derived results, so a read after a change is computed afresh
    (the caches' own keys are tested separately)."""
    resilience.clear_cache()
    groups._CONTEXTS.clear()
    compare._GROUP_CACHE.clear()


def pdf_text(body: bytes) -> str:
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


def xlsx_text(body: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(repr(v) for ws in book.worksheets
                     for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def readable(resp) -> str:
    """A response's content as text: HTML parsed strictly, PDF and XLSX decoded."""
    kind = resp.headers.get("content-type", "")
    if kind.startswith("application/pdf"):
        return pdf_text(resp.content)
    if "spreadsheetml" in kind:
        return xlsx_text(resp.content)
    if kind.startswith("text/html"):
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(resp.text)
    return resp.text


URLS = [
    f"/council/{OWNER}", f"/council/{OWNER}.json", f"/council/{OTHER}", f"/council/{OTHER}.json",
    f"/council/{OWNER}/profile", f"/council/{OWNER}/profile.json",
    f"/council/{OWNER}/profile.pdf", f"/council/{OWNER}/profile.xlsx",
    f"/council/{OTHER}/profile.json?group=county", "/datasets", "/datasets.json",
    "/api/datasets", "/api/indicators", "/search?q=cam", "/search.json?q=cam",
    f"/api/councils/{OTHER}/compare?group=county&indicator={FIXTURE_RATE}",
    f"/api/councils/{OWNER}/compare?group=county",
    f"/api/councils/{OWNER}/trends?indicator={FIXTURE_RATE}",
    f"/api/councils/{OWNER}/spend?year=2022",
    "/api/flags?year=2023",
]


@pytest.fixture(scope="module")
def scene(hub_path, folder):
    """Public bodies before the private upload; then A's upload loaded through the web app's
    writable store (as the upload route will); the client and the private dataset's id."""
    with make_client(hub_path) as client:
        before = {u: readable(client.get(u)) for u in URLS}
        provider = client.app.state.stores
        with provider.cursor() as store:
            data, meta = private_files(folder, store)
            result = load_upload_for(store, data, meta, OWNER, title="Fixture private upload")
        clear_caches()
        yield {"client": client, "before": before, "dataset_id": result.dataset_id,
               "rs_year": _rs_year(provider)}


@pytest.mark.parametrize("org", [None, OTHER])
def test_public_and_another_council_see_none_of_it(scene, org):
    client = scene["client"]
    headers = {"X-Test-Org": org} if org else {}
    for url in URLS:
        resp = client.get(url, headers=headers)
        body = readable(resp)
        before = scene["before"][url]
        for form in PRIVATE_FORMS:  # (a real value may print the same: then it was there before)
            assert form not in body or form in before, (url, form)
        assert body == before, url  # exactly what it was before the upload


@pytest.mark.parametrize("org", [None, OTHER])
def test_guessing_the_dataset_id_answers_as_if_it_did_not_exist(scene, org):
    client, ds = scene["client"], scene["dataset_id"]
    headers = {"X-Test-Org": org} if org else {}
    missing = client.get(f"/api/datasets/{ds + 1000}", headers=headers)
    for url in (f"/api/datasets/{ds}", f"/datasets/{ds}.json", f"/datasets/{ds}"):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 404, url
        assert str(ds) in resp.text
        for form in ("Fixture private upload", "private_a.csv", OWNER):
            assert form not in resp.text
    got = client.get(f"/api/datasets/{ds}", headers=headers).json()
    assert got["message"] == missing.json()["message"].replace(str(ds + 1000), str(ds))
    unknown = client.get(f"/api/councils/{OWNER}/compare?indicator={PRIVATE_ONLY}",
                         headers=headers)
    assert unknown.status_code == 404 and PRIVATE_ONLY in unknown.json()["message"]


def test_the_comparator_median_excludes_the_private_value_unless_it_is_yours(scene):
    client = scene["client"]
    url = f"/api/councils/{OTHER}/compare?group=county&indicator={FIXTURE_RATE}"
    public_values = sorted(v for c, v in PUBLIC_RATES.items() if c != OTHER)
    for headers in ({}, {"X-Test-Org": OTHER}):
        (row,) = client.get(url, headers=headers).json()["indicators"]
        assert row["group"]["n"] == 3 and row["group"]["median"] == public_values[1]
        assert OWNER in row["group"]["missing"]
    (row,) = client.get(url, headers={"X-Test-Org": OWNER}).json()["indicators"]
    assert row["group"]["n"] == 4
    assert row["group"]["median"] == pytest.approx((public_values[1] + public_values[2]) / 2)
    assert row["group"]["max"] == pytest.approx(PRIVATE_RATE)


def test_the_owner_sees_its_upload_everywhere(scene):
    client, ds = scene["client"], scene["dataset_id"]
    mine = {"X-Test-Org": OWNER}
    page = client.get(f"/council/{OWNER}", headers=mine).text
    assert "Private fixture count (illustrative values)" in page and "12,346" in page
    assert client.get(f"/api/datasets/{ds}", headers=mine).json()["dataset"]["visibility"] == \
        "private"
    assert any(d["dataset_id"] == ds for d in client.get("/api/datasets", headers=mine).json()
               ["datasets"])
    profile = client.get(f"/council/{OWNER}/profile.json", headers=mine).text
    assert str(PRIVATE_RATE) in profile and "Fixture private upload" in profile
    assert str(PRIVATE_RATE) in readable(client.get(f"/council/{OWNER}/profile.xlsx",
                                                    headers=mine))
    assert "87.7%" in readable(client.get(f"/council/{OWNER}/profile", headers=mine))
    spend = client.get(f"/api/councils/{OWNER}/spend?year={scene['rs_year'][:4]}", headers=mine)
    assert spend.status_code == 200
    assert client.get(f"/api/councils/{OWNER}/spend?year={scene['rs_year'][:4]}").status_code \
        == 404
    trends = client.get(f"/api/councils/{OWNER}/trends?indicator={FIXTURE_RATE}", headers=mine)
    assert str(PRIVATE_RATE) in trends.text


def test_publishing_shows_it_to_everyone_at_once(hub_path, folder, tmp_path):
    path = tmp_path / "hub.duckdb"
    shutil.copy(hub_path, path)
    with make_client(path) as client:
        url = f"/api/councils/{OTHER}/compare?group=county&indicator={FIXTURE_RATE}"
        assert client.get(url).json()["indicators"][0]["group"]["n"] == 3  # cached now
        profile_before = client.get(f"/council/{OWNER}/profile.json").text
        provider = client.app.state.stores
        with provider.cursor() as store:
            data, meta = private_files(tmp_path, store)
            ds = load_upload_for(store, data, meta, OWNER).dataset_id
        assert client.get(url).json()["indicators"][0]["group"]["n"] == 3
        assert client.get(f"/council/{OWNER}/profile.json").text == profile_before
        with provider.cursor() as reader:
            writer = Store(reader.con.cursor(), path, read_only=False)
            row = publish_dataset(writer, ds, by="Fixture data team", org_code=OWNER)
            writer.close()
        assert row["visibility"] == "public" and row["published_by"] == "Fixture data team"
        assert row["published_at"] is not None
        for headers in ({}, {"X-Test-Org": OTHER}):  # no cache clearing: the keys change
            (got,) = client.get(url, headers=headers).json()["indicators"]
            assert got["group"]["n"] == 4 and got["group"]["max"] == pytest.approx(PRIVATE_RATE)
            assert str(PRIVATE_RATE) in client.get(f"/council/{OWNER}/profile.json",
                                                   headers=headers).text
            assert client.get(f"/api/datasets/{ds}", headers=headers).status_code == 200


def test_publish_refuses_another_organisations_dataset_as_if_it_did_not_exist(hub_path,
                                                                              tmp_path):
    from wholeplace.errors import InputError, NotFoundError

    path = tmp_path / "hub.duckdb"
    shutil.copy(hub_path, path)
    with open_store(path) as store:
        data, meta = private_files(tmp_path, store)
        ds = load_file(store, data, metadata=meta, owner_org=OWNER).dataset_id
        with pytest.raises(NotFoundError, match=f"There is no dataset {ds}"):
            publish_dataset(store, ds, by="someone", org_code=OTHER)
        with pytest.raises(InputError, match="who publishes"):
            publish_dataset(store, ds, by=" ", org_code=OWNER)
        assert store.scalar("SELECT visibility FROM datasets WHERE dataset_id = ?", [ds]) == \
            "private"
        publish_dataset(store, ds, by="someone", org_code=OWNER)
        with pytest.raises(InputError, match="already public"):
            publish_dataset(store, ds, by="someone")


def _rs_year(provider) -> str:
    with provider.cursor() as store:
        return _next_rs_year(store)
