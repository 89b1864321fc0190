"""What a Band D household pays and to whom: `wholeplace place` and the council page, on a
real loaded hub. Spot values are cells of CTR_Table_9_2023-24.ods, sheet Data_Billing, row
Adur (E-code E3831): AL area Band D £2,217.39, AB Adur's own £324.00, AH West Sussex £1,633.41,
AI police £239.91; sheet Data_Precepting, row West Sussex: P adult social care element £31.11.
"""

from __future__ import annotations

import json

import html5lib
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.config import get_settings
from wholeplace.counciltax.bill import band_d_bill
from wholeplace.web.app import create_app

ADUR, WEST_SUSSEX, KENT, WESTMINSTER = "E07000223", "E10000032", "E10000016", "E09000033"
runner = CliRunner()


@pytest.fixture(scope="module")
def client(loaded_db):
    with TestClient(create_app(get_settings(db=loaded_db))) as c:
        yield c


def test_adur_bill_and_its_parts(loaded_store):
    bill = band_d_bill(loaded_store, ADUR)
    assert (bill["kind"], bill["period"], bill["total"]) == ("billing", "2023-24", 2217.39)
    parts = {p["role"]: (p["body_code"], p["amount"]) for p in bill["parts"]}
    assert parts["billing"] == (ADUR, 324.0)
    assert parts["county"] == (WEST_SUSSEX, 1633.41)
    assert parts["police"] == (None, 239.91)
    assert "fire" not in parts  # West Sussex runs fire itself: no separate precept
    assert bill["parts_sum"] == bill["total"]
    assert bill["adult_social_care"] == {"amount": 31.11, "authority_code": WEST_SUSSEX,
                                         "authority_name": "West Sussex County Council",
                                         "within": "county"}
    assert {b["band"]: b["amount"] for b in bill["bands"]}["H"] == 4434.78  # 2 x Band D


def test_cli_place_shows_the_band_d_bill(loaded_db):
    out = runner.invoke(app, ["--db", str(loaded_db), "place", ADUR])
    assert out.exit_code == 0, out.output
    assert ("Council tax 2023-24: a Band D household in Adur District Council pays "
            "£2,217.39 a year") in out.output
    assert "West Sussex County Council" in out.output and "£1,633.41" in out.output
    assert "of which adult social care precept raised this year: £31.11" in out.output


def test_cli_place_json_has_the_council_tax_twin(loaded_db):
    out = runner.invoke(app, ["--db", str(loaded_db), "place", ADUR, "--json"])
    assert out.exit_code == 0, out.output
    ct = json.loads(out.output)["council_tax"]
    assert ct["total"] == 2217.39 and ct["source"]["released_on"] == "2023-03-23"


def test_cli_a_county_points_to_its_billing_areas(loaded_db):
    out = runner.invoke(app, ["--db", str(loaded_db), "place", KENT])
    assert out.exit_code == 0, out.output
    assert "does not send council tax bills" in out.output
    assert "Its own average Band D: £1,534.23" in out.output
    assert "Ashford Borough Council" in out.output


def test_council_page_and_json_twin(client):
    page = client.get(f"/council/{ADUR}")
    assert page.status_code == 200
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.text)
    section = next(h for h in tree.iter("h2") if h.get("id") == "council-tax")
    assert "Band D household" in "".join(section.itertext())
    assert "£2,217.39" in page.text and "£1,633.41" in page.text and "£31.11" in page.text
    twin = client.get(f"/council/{ADUR}.json").json()["council_tax"]
    assert twin["total"] == 2217.39 and twin["period"] == "2023-24"


def test_council_page_of_a_county_lists_billing_areas(client):
    page = client.get(f"/council/{KENT}")
    assert page.status_code == 200
    assert "does not send council tax bills" in page.text
    assert 'href="/council/E07000105#council-tax"' in page.text  # Ashford


def test_a_london_borough_pays_the_gla(loaded_store):
    parts = {p["role"]: p["amount"] for p in band_d_bill(loaded_store, WESTMINSTER)["parts"]}
    assert parts["gla"] == 434.14  # Data_Billing, row Westminster, column AH
