"""Consultation files: YAML and JSON round trips, and validation that names every problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from wholeplace.consult import dumps_json, dumps_yaml, load_definition, loads_definition
from wholeplace.errors import InputError, ValidationError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "consult" / "test_consultation.yaml"


def raw() -> dict:
    return yaml.safe_load(FIXTURE.read_text())


def test_round_trip_yaml_and_json():
    c = load_definition(FIXTURE)
    assert loads_definition(dumps_yaml(c)) == c
    assert loads_definition(dumps_json(c)) == c
    assert json.loads(dumps_json(c))["lines"][0]["current_budget"] == "2000000"


def test_referendum_limit_is_resolved_and_cited():
    c = load_definition(FIXTURE)
    assert c.council_tax is not None
    limit = c.council_tax.referendum.limit
    assert limit is not None and limit.year == "2024-25" and limit.principle.percent_bp == 500
    assert "Referendums Relating to Council Tax Increases" in limit.source


def test_every_problem_is_named_at_once():
    d = raw()
    d["lines"][0]["min_change"], d["lines"][0]["max_change"] = "200000", "-500000"  # inverted
    d["lines"][1]["protection"]["minimum"] = "60000000"                        # above budget
    d["lines"][2]["step"] = "70000"                                            # not dividing
    d["lines"].append(dict(d["lines"][2], id="libraries", step="100000"))      # duplicate id
    d["closes"] = "2023-12-01"
    d["council_tax"]["referendum"] = {"mode": "warn"}                          # no cost
    d["reserves"]["minimum_balance"] = "20000000"
    with pytest.raises(ValidationError) as info:
        loads_definition(yaml.safe_dump(d), "bad.yaml")
    columns = [p.column for p in info.value.problems]
    for expected in ("lines[0] (libraries).min_change", ("lines[1] (adult_social_care)"
                     ".protection.minimum"), "lines[2] (events).min_change", "lines", "closes",
                     "council_tax.referendum.cost", "reserves.minimum_balance"):
        assert expected in columns, (expected, columns)
    assert all(p.file == "bad.yaml" for p in info.value.problems)
    assert "inverted" in str(info.value)


def test_type_problems_are_collected_with_their_path():
    d = raw()
    d["council_code"] = "Peterborough"
    d["lines"][0]["current_budget"] = "lots"
    d["lines"][1]["step"] = "0.001"
    with pytest.raises(ValidationError) as info:
        loads_definition(json.dumps(d, default=str))
    columns = {p.column for p in info.value.problems}
    assert {"council_code", "lines.0.current_budget", "lines.1.step"} <= columns


def test_line_not_in_the_councils_data():
    d = raw()
    d["lines"][0]["indicator"] = "rs.nce.cultural"
    d["lines"][1]["indicator"] = "rs.nce.no_such_service"
    with pytest.raises(ValidationError, match=r"rs\.nce\.no_such_service is not in the hub"):
        loads_definition(yaml.safe_dump(d), known_indicators={"rs.nce.cultural"})


def test_year_without_principles_needs_a_limit_in_the_file():
    d = raw()
    d["budget_year"] = "2022-23"
    with pytest.raises(ValidationError, match="No council tax referendum principles for 2022-23"):
        loads_definition(yaml.safe_dump(d))


def test_not_a_mapping_or_not_yaml():
    with pytest.raises(InputError, match="mapping"):
        loads_definition("- a\n- b\n")
    with pytest.raises(InputError, match="not valid YAML"):
        loads_definition("a: [\n")


def test_amounts_are_written_in_plain_notation():
    d = raw()
    d["lines"][0]["current_budget"] = "2e6"
    d["lines"][0]["min_change"] = "-5E+5"
    c = loads_definition(yaml.safe_dump(d))
    data = json.loads(dumps_json(c))
    assert data["lines"][0]["current_budget"] == "2000000"
    assert data["lines"][0]["min_change"] == "-500000"
    assert loads_definition(dumps_yaml(c)) == c
