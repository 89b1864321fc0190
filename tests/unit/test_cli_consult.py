"""`wholeplace consult check` on good and bad files."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from wholeplace.cli.main import app

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "consult" / "test_consultation.yaml"


def test_check_a_good_file():
    result = CliRunner().invoke(app, ["consult", "check", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "5% or more" in result.output


def test_check_lists_every_problem(tmp_path):
    d = yaml.safe_load(FIXTURE.read_text())
    d["lines"][0]["min_change"] = "300000"
    d["lines"][1]["protection"]["minimum"] = "99000000"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(d))
    result = CliRunner().invoke(app, ["consult", "check", str(bad)])
    assert result.exit_code == 1
    assert "inverted" in result.output and "above the current budget" in result.output
    assert "Traceback" not in result.output
