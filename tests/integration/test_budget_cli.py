"""`wholeplace prevention` and `wholeplace plan` on the shipped examples, with the Unit Cost
Database loaded from the REAL workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store

ROOT = Path(__file__).resolve().parents[2]
FALLS = ROOT / "examples" / "prevention" / "falls.yaml"
PLAN = ROOT / "examples" / "plans" / "illustrative_place.yaml"


@pytest.fixture(scope="module")
def hub(tmp_path_factory, sources_dir):
    path = tmp_path_factory.mktemp("budget") / "uc.duckdb"
    with open_store(path) as store:
        load_registered(store, sources_dir, only=["gmca_unit_costs"])
    return path


def run(hub, *args):
    result = CliRunner().invoke(app, ["--db", str(hub), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_falls_example(hub):
    out = json.loads(run(hub, "prevention", str(FALLS), "--draws", "2000", "--seed", "3",
                         "--json"))
    assert out["illustration"] is True and out["price_base"] == "2015-16"
    uc = out["unit_costs"]
    # the database's own 2015-16 uprated values (Health!J79, Health HE3.0, Social Services)
    assert uc["falls_admissions"]["fiscal_per_unit"] == pytest.approx(2825.341817519678)
    assert "HE7.11" in uc["falls_admissions"]["provenance"][0]
    assert uc["falls_home_care"]["public_value_per_unit"] > 0
    # 500 offered x 60% take-up = 300 participants a year at £250
    assert out["cost"]["public_health"]["2025-26"] == pytest.approx(75000)
    # first-year falls avoided: 300 x 0.85 x (1 - 0.76) = 61.2
    assert out["avoided"]["falls_admissions"]["2025-26"] == pytest.approx(61.2)
    assert out["saving"]["icb"]["2025-26"] == pytest.approx(
        61.2 * (0.05 * 2825.341817519678 + 0.2 * uc["falls_ambulance"]["fiscal_per_unit"]))
    assert "cohort" in out["illustrative_parameters"]
    assert not any("rate_ratio" in p for p in out["illustrative_parameters"])
    assert {r["partner"] for r in out["who_pays_who_saves"]} == {
        "public_health", "icb", "adult_social_care"}
    again = json.loads(run(hub, "prevention", str(FALLS), "--draws", "2000", "--seed", "3",
                           "--json"))
    assert again["monte_carlo"] == out["monte_carlo"]
    text = run(hub, "prevention", str(FALLS), "--draws", "500")
    assert "ILLUSTRATION" in text and "assumption (illustrative)" in text


def test_falls_example_workbook(hub, tmp_path):
    out = tmp_path / "falls.xlsx"
    run(hub, "prevention", str(FALLS), "--draws", "500", "--xlsx", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Assumptions", "Flows", "Who pays who saves", "Monte Carlo",
                             "Sensitivities"]
    flows = wb["Flows"]
    pv = [c.value for row in flows.iter_rows() for c in row
          if isinstance(c.value, str) and c.value.startswith("=SUMPRODUCT(")]
    assert len(pv) == 1 + 3 + 3  # cost; saving and cashable saving for each of 3 partners


def test_plan_with_the_prevention_scenario_and_xlsx(hub, tmp_path):
    out_file = tmp_path / "plan.xlsx"
    out = json.loads(run(hub, "plan", str(PLAN), "--prevention", str(FALLS), "--xlsx",
                         str(out_file), "--json"))
    assert list(out["scenarios"]) == ["baseline", "cut_discretionary", "lower_pay_award",
                                      "baseline_with_falls_strength_balance"]
    diff = out["scenarios"]["baseline_with_falls_strength_balance"]["funding_gap_difference"]
    # the county pays £75,000 (75 £k) a year and saves the home care cashable share
    assert 70 < diff["county"]["by_year"]["2025-26"] < 75
    assert diff["icb"]["by_year"]["2025-26"] < 0
    wb = openpyxl.load_workbook(out_file)
    assert wb.sheetnames[0] == "Assumptions" and "Comparison" in wb.sheetnames
    ws = wb["S1 county"]
    formulas = [c.value for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert any(f.startswith("=SUM(") for f in formulas)
    assert any("-" in f and "SUM" not in f for f in formulas)  # the funding gap row


def test_bad_plan_refused_with_the_field(hub, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.read_text().replace("value: 0.0499", "value: 0.0599", 1))
    result = CliRunner().invoke(app, ["--db", str(hub), "plan", str(bad)])
    assert result.exit_code == 1
    assert "partners[county].council_tax.growth" in result.output
    assert "referendum limit" in result.output
