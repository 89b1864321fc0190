"""Prefilling a consultation from the real loaded hub (Peterborough, E06000031)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wholeplace.consult import dumps_yaml, loads_definition
from wholeplace.consult.prefill import hub_indicators, prefill
from wholeplace.errors import NotFoundError

PETERBOROUGH = "E06000031"


def test_rs_outturn_lines_when_no_ra_budget(loaded_store):
    has_ra = loaded_store.scalar("SELECT count(*) FROM current_observations WHERE area_code = ? "
                                 "AND indicator_id LIKE 'ra.nce.%'", [PETERBOROUGH])
    c = prefill(loaded_store, PETERBOROUGH, "2024-25", with_council_tax=False)
    latest = loaded_store.row(
        "SELECT period, value FROM current_observations WHERE area_code = ? AND indicator_id = "
        "'rs.nce.adult_social_care' AND period < '2024-25' ORDER BY period_end DESC LIMIT 1",
        [PETERBOROUGH])
    assert c.council_name == "Peterborough" and c.council_code == PETERBOROUGH
    if has_ra:
        assert c.prefilled_from is not None and "RA budget" in c.prefilled_from
        return
    assert c.prefilled_from == f"hub: RS outturn {latest['period']} ({len(c.lines)} lines)"
    asc = next(line for line in c.lines if line.id == "adult_social_care")
    assert asc.current_budget == (Decimal(str(latest["value"])) * 1000).quantize(Decimal(1))
    assert asc.budget_source == f"RS outturn {latest['period']}"
    ids = {line.id for line in c.lines}
    assert "total_service" not in ids and "social_care" not in ids  # no double counting
    assert all(line.current_budget > 0 and line.current_budget + line.min_change >= 0
               for line in c.lines)
    # The written YAML reads back, and every line is in the council's data.
    known = hub_indicators(loaded_store, PETERBOROUGH)
    assert loads_definition(dumps_yaml(c), known_indicators=known) == c


def test_council_tax_lever_from_ctr_or_a_clear_error(loaded_store):
    has_ctr = loaded_store.scalar("SELECT count(*) FROM current_observations WHERE area_code = ? "
                                  "AND indicator_id = 'ctr.band_d.billing'", [PETERBOROUGH])
    if not has_ctr:
        with pytest.raises(NotFoundError, match=r"ctr\.band_d\.billing.*--no-council-tax"):
            prefill(loaded_store, PETERBOROUGH, "2024-25")
        return
    c = prefill(loaded_store, PETERBOROUGH, "2024-25")
    assert c.council_tax is not None and c.council_tax.band_d > 0
    assert c.council_tax.referendum.limit is not None


def test_unknown_council(loaded_store):
    with pytest.raises(NotFoundError):
        prefill(loaded_store, "E06999999", "2024-25", with_council_tax=False)


def test_the_peterborough_demonstration_is_real_outturn(loaded_store):
    from pathlib import Path

    from wholeplace.consult import load_definition

    path = Path(__file__).parents[2] / "examples" / "consult" / "peterborough-demo.yaml"
    c = load_definition(path, known_indicators=hub_indicators(loaded_store, PETERBOROUGH))
    assert c.demonstration and "DEMONSTRATION" in c.title
    for line in c.lines:
        period = line.budget_source.removeprefix("RS outturn ")
        value = loaded_store.scalar("SELECT value FROM current_observations WHERE area_code = ? "
                                    "AND indicator_id = ? AND period = ?",
                                    [PETERBOROUGH, line.indicator, period])
        assert line.current_budget == (Decimal(str(value)) * 1000).quantize(Decimal(1)), line.id


def test_the_demonstration_council_tax_is_the_ctr_return(sources_dir):
    """The demo's Band D, tax base and other preceptors are Peterborough's CTR 2023-24 figures."""
    from pathlib import Path

    from wholeplace.consult import load_definition
    from wholeplace.hub.loaders.workbook import read_sheet

    rows = list(read_sheet(sources_dir / "raw/council_tax/CTR_Table_9_2023-24.ods",
                           "Data_Billing"))
    header = [" ".join(str(h).split()) for h in rows[4]]
    row = next(r for r in rows if len(r) > 1 and r[1] == PETERBOROUGH)

    def cell(prefix: str, suffix: str = "(current year)") -> Decimal:
        i = next(k for k, h in enumerate(header) if h.startswith(prefix) and h.endswith(suffix))
        return Decimal(str(row[i])).quantize(Decimal("0.01"))

    path = Path(__file__).parents[2] / "examples" / "consult" / "peterborough-demo.yaml"
    ct = load_definition(path).council_tax
    assert ct is not None
    assert ct.band_d == cell("9. Average")
    assert ct.tax_base == cell("7. Council tax base")
    others = {p.name: p.band_d for p in ct.other_preceptors}
    assert others["Police and crime commissioner"] == cell("16.", "(police)")
    assert others["Fire and rescue"] == cell("16.", "(fire)")
    assert others["Combined authority"] == cell("16.", "(combined authority)")
    assert others["Parish or town council (average)"] == cell("8. Average") - cell("9. Average")


def test_cli_prefill_then_check_against_the_hub(loaded_db, tmp_path):
    from typer.testing import CliRunner

    from wholeplace.cli.main import app

    runner = CliRunner()
    out = runner.invoke(app, ["--db", str(loaded_db), "consult", "prefill", PETERBOROUGH,
                              "--year", "2024-25", "--no-council-tax"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("# A STARTING consultation")
    # The hub holds Peterborough's RA budgets, so the lines are ra.nce.* (RS only as fallback).
    assert "(hub: RA budget " in out.output.splitlines()[0]
    assert "indicator: ra.nce.cultural" in out.output
    path = tmp_path / "p.yaml"
    path.write_text(out.output)
    checked = runner.invoke(app, ["--db", str(loaded_db), "consult", "check", str(path),
                                  "--against-hub"])
    assert checked.exit_code == 0, checked.output
    assert "Peterborough (E06000031) 2024-25" in checked.output
    path.write_text(out.output.replace("indicator: ra.nce.cultural",
                                       "indicator: ra.nce.not_a_service"))
    bad = runner.invoke(app, ["--db", str(loaded_db), "consult", "check", str(path),
                              "--against-hub"])
    assert bad.exit_code == 1 and "ra.nce.not_a_service is not in the hub" in bad.output
