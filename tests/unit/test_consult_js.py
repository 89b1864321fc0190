"""The page and the server compute the same balance: web/static/consult.js, run in Node, must
equal the Python engine exactly (every figure, every rule broken) on thousands of responses."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from wholeplace.consult import Consultation, Response, check_response, loads_definition
from wholeplace.consult.definition import definition_data

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "src" / "wholeplace" / "web" / "static" / "consult.js"
FIXTURE = ROOT / "tests" / "fixtures" / "consult" / "test_consultation.yaml"
NODE = shutil.which("node")

RUNNER = """
const consult = require(process.argv[1]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.responses.map(r => consult.check(input.definition, r));
process.stdout.write(JSON.stringify(out));
"""


def variants() -> list[Consultation]:
    base = yaml.safe_load(FIXTURE.read_text())
    warn = json.loads(json.dumps(base, default=str))
    warn["council_tax"]["referendum"] = {"mode": "warn", "cost": "350000.00",
                                         "cost_source": "test figure"}
    district = json.loads(json.dumps(base, default=str))
    district["council_tax"].update(authority_class="shire_district", band_d="187.45",
                                   tax_base="45678.9")
    del district["council_tax"]["adult_social_care"]
    district["target"] = {"kind": "total", "amount": "51000000.50"}
    del district["fees"]
    return [loads_definition(yaml.safe_dump(d, default_flow_style=False))
            for d in (json.loads(json.dumps(base, default=str)), warn, district)]


def _amount(rng: random.Random, low: Decimal, high: Decimal, step: Decimal) -> str:
    if rng.random() < 0.1:  # sometimes off the grid or out of range, to test the rules too
        return str((low - step + Decimal(rng.randint(0, 10**6)) / 100).quantize(Decimal("0.01")))
    k = rng.randint(int(low / step), int(high / step))
    return str(k * step)


def responses(c: Consultation, rng: random.Random, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        r: dict = {"line_changes": {line.id: _amount(rng, line.min_change, line.max_change,
                                                     line.step)
                                    for line in c.lines if rng.random() < 0.9}}
        ct = c.council_tax
        if ct is not None:
            r["council_tax_change"] = _amount(rng, ct.core.min_change, ct.core.max_change,
                                              ct.core.step)
            if ct.adult_social_care is not None:
                a = ct.adult_social_care
                r["adult_social_care_change"] = _amount(rng, a.min_change, a.max_change, a.step)
        if c.fees is not None:
            r["fees_change"] = _amount(rng, c.fees.min_change, c.fees.max_change, c.fees.step)
        if c.reserves is not None:
            r["reserves_use"] = _amount(rng, Decimal(0), c.reserves.available, c.reserves.step)
        out.append(r)
    return out


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("index", [0, 1, 2])
def test_javascript_equals_python(index, tmp_path):
    c = variants()[index]
    rng = random.Random(20240 + index)
    data = responses(c, rng, 1500)
    run = subprocess.run([NODE, "-e", RUNNER, str(SCRIPT)], check=True, capture_output=True,
                         input=json.dumps({"definition": definition_data(c),
                                           "responses": data}), text=True, timeout=120)
    from_js = json.loads(run.stdout)
    accepted = 0
    for r, js in zip(data, from_js, strict=True):
        out, found = check_response(c, Response.model_validate(r))
        assert js["outcome"] == json.loads(json.dumps(out.to_dict())), r
        assert [(v["field"], v["code"]) for v in js["violations"]] == \
            [(v.field, v.code) for v in found], r
        accepted += not found
    assert 0 < accepted < len(data)  # both accepted and refused responses were compared


MANY = """
const consult = require(process.argv[1]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map(
  k => k.responses.map(r => consult.check(k.definition, r)))));
"""


def random_definition(rng: random.Random) -> Consultation:
    """A consultation with random awkward amounts (Band D and tax base in pence and hundredths,
    odd steps), to find any rounding difference between the two engines."""
    d = yaml.safe_load(FIXTURE.read_text())
    d = json.loads(json.dumps(d, default=str))
    for line in d["lines"]:
        step = rng.choice([1, 7, 250, 1234, 50_000]) * Decimal(rng.choice(["1", "0.01"]))
        budget = step * rng.randint(50, 5000) + Decimal(rng.randint(0, 99)) / 100
        line.update(current_budget=str(budget), step=str(step),
                    min_change=str(-step * rng.randint(0, 40)),
                    max_change=str(step * rng.randint(0, 40)), consequences=[])
        line.pop("protection", None)
    ct = d["council_tax"]
    ct["band_d"] = str(Decimal(rng.randint(1000, 400_000)) / 100)
    ct["tax_base"] = str(Decimal(rng.randint(100_000, 50_000_000)) / 100)
    if rng.random() < 0.5:
        ct["authority_class"] = "shire_district"
        del ct["adult_social_care"]
    d["target"] = {"kind": "gap", "amount": str(Decimal(rng.randint(0, 10**9)) / 100)}
    return loads_definition(yaml.safe_dump(d))


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_javascript_equals_python_on_random_definitions():
    rng = random.Random(8)
    cases = []
    for _ in range(40):
        c = random_definition(rng)
        cases.append((c, responses(c, rng, 100)))
    run = subprocess.run([NODE, "-e", MANY, str(SCRIPT)], check=True, capture_output=True,
                         input=json.dumps([{"definition": definition_data(c), "responses": rs}
                                           for c, rs in cases]), text=True, timeout=120)
    for (c, rs), from_js in zip(cases, json.loads(run.stdout), strict=True):
        for r, js in zip(rs, from_js, strict=True):
            out, found = check_response(c, Response.model_validate(r))
            assert js["outcome"] == json.loads(json.dumps(out.to_dict())), r
            assert [(v["field"], v["code"]) for v in js["violations"]] == \
                [(v.field, v.code) for v in found], r
