"""Consequences over time in the simulator: a line linked to a prevention model, the later cost
of a resident's cut (per partner and year) and of the average submission, hand-computed on the
test model (tests/fixtures/prevention/simple.yaml), and every bad link refused by field.

The test model by hand: a £10,000 programme a year; the whole programme avoids £0, £5,000 and
£5,000 in its three years, three quarters for the NHS (£0, £3,750, £3,750) and a quarter for
adult social care (£0, £1,250, £1,250).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.consult_support import definition
from wholeplace.budget.consequences import cut_consequences
from wholeplace.budget.files import load
from wholeplace.budget.prevention import prepare
from wholeplace.budget.prevention_model import Intervention
from wholeplace.consult import dumps_json, dumps_yaml, later, loads_definition
from wholeplace.consult.definition import definition_data
from wholeplace.consult.models import LinePrevention
from wholeplace.errors import ValidationError

MODELS = Path(__file__).parents[1] / "fixtures" / "prevention"


def _profiles():
    return {"test_simple": later.resolve("test_simple", None, MODELS)}


def _linked(**link):
    c = definition()
    lines = [line.model_copy(update={"prevention": LinePrevention(model="test_simple", **link)})
             if line.id in ("public_health", "cultural") else line.model_copy(
                 update={"prevention": None}) for line in c.lines]
    return c.model_copy(update={"lines": lines})


def test_the_profile_is_the_model_by_hand():
    p = _profiles()["test_simple"]
    assert p.programme == 10_000 and p.price_base == "2024-25" and p.illustration
    assert {f.partner: f.by_year for f in p.partners} == {
        "nhs": pytest.approx((0, 3750, 3750)), "asc": pytest.approx((0, 1250, 1250))}


def test_a_cut_pound_for_pound_by_hand_and_as_cut_consequences_says():
    c = _linked()
    # £2,500 cut from public health: a quarter of the programme
    [lc] = later.later_costs(c, {"public_health": Decimal(-2500)}, _profiles())
    assert lc.share == 0.25 and lc.cut == 2500
    assert lc.years == ("2024-25", "2025-26", "2026-27")  # from the budget year
    by = {p[0]: (p[2], p[3]) for p in lc.partners}
    assert by["nhs"] == (pytest.approx((0, 937.5, 937.5)), pytest.approx(1875))
    assert by["asc"] == (pytest.approx((0, 312.5, 312.5)), pytest.approx(625))
    assert lc.total == pytest.approx(2500)
    # the same as the prevention model's own function
    m = prepare(load(Intervention, MODELS / "simple.yaml"))
    direct = cut_consequences(m, 2500)
    assert lc.total == pytest.approx(direct["total"])


def test_two_lines_on_one_model_add_up_before_the_programme_bound_and_rises_cost_nothing():
    c = _linked()
    found = _profiles()
    [lc] = later.later_costs(c, {"public_health": -6000, "cultural": -6000}, found)
    assert lc.cut == 12_000 and lc.share == 1.0 and lc.total == pytest.approx(10_000)
    assert lc.lines == ("cultural", "public_health")
    [alone] = later.later_costs(c, {"public_health": -6000, "cultural": -6000}, found,
                                only=["public_health"])
    assert alone.share == 0.6 and alone.total == pytest.approx(6000)
    assert later.later_costs(c, {"public_health": 117000, "education": -5_836_000}, found) == []


def test_a_proportional_and_a_part_pound_mapping_by_hand():
    c = _linked(mapping="proportional")
    budget = float(next(x for x in c.lines if x.id == "public_health").current_budget)
    [lc] = later.later_costs(c, {"public_health": -budget / 10}, _profiles())
    assert lc.share == pytest.approx(0.1) and lc.total == pytest.approx(1000)
    half = _linked(per_pound=Decimal("0.5"))
    [lc] = later.later_costs(half, {"public_health": -2000}, _profiles())
    assert lc.cut == 1000 and lc.total == pytest.approx(1000)


def test_the_average_submission_by_hand():
    c = _linked()
    responses = [{"public_health": -2500.0}, {"public_health": -10_000.0},
                 {"education": -5_836_000.0}, {}]
    avg = later.average(c, responses, _profiles())
    [m] = avg["models"]
    # (0.25 + 1 + 0 + 0) / 4 of the whole programme's avoided cost
    assert avg["responses"] == m["responses"] == 4 and m["responses_cutting"] == 2
    nhs = next(p for p in m["partners"] if p["partner"] == "nhs")
    assert list(nhs["by_year"].values()) == pytest.approx([0, 1171.875, 1171.875])
    assert m["total"] == pytest.approx(0.3125 * 10_000)
    assert m["by_year"] == pytest.approx({"2024-25": 0, "2025-26": 1562.5, "2026-27": 1562.5})
    empty = later.average(c, [], _profiles())
    assert empty["models"][0]["total"] == 0 and empty["responses"] == 0


def test_the_link_round_trips_through_yaml_and_json():
    c = _linked(mapping="proportional")
    for text in (dumps_yaml(c), dumps_json(c)):
        again = loads_definition(text, prevention=lambda m: later.resolve(m, None, MODELS))
        assert again == c
    line = next(x for x in definition_data(c)["lines"] if x["id"] == "public_health")
    assert line["prevention"] == {"model": "test_simple", "mapping": "proportional",
                                  "per_pound": "1"}


def _refused(data, check=None):
    with pytest.raises(ValidationError) as info:
        loads_definition(dumps_yaml(data) if not isinstance(data, str) else data,
                         prevention=check)
    return {p.column: p.message for p in info.value.problems}


def test_an_unknown_model_is_refused_naming_the_field():
    c = definition()
    lines = [x.model_copy(update={"prevention": LinePrevention(model="no_such_model")})
             if x.id == "public_health" else x for x in c.lines]
    problems = _refused(c.model_copy(update={"lines": lines}),
                        lambda m: later.resolve(m, None, MODELS))
    [(field, message)] = problems.items()
    assert field == "lines[10] (public_health).prevention.model"
    assert "'no_such_model' is not a prevention model the platform knows" in message
    assert "test_simple" in message


def test_a_model_that_cannot_be_priced_is_refused():
    """The falls example prices its unit costs from the hub: with none, it cannot be shown."""
    later.clear_cache()  # a profile priced from a hub by an earlier test is kept otherwise
    c = definition()  # the example links public health to falls_strength_balance
    problems = _refused(c, lambda m: later.resolve(m, None))
    assert "cannot be priced" in problems["lines[10] (public_health).prevention.model"]


def test_a_model_with_no_partner_saving_is_refused(tmp_path):
    text = (MODELS / "simple.yaml").read_text().replace("effect: {value: 0.5}",
                                                      "effect: {value: 0.0}")
    (tmp_path / "none.yaml").write_text(text)
    with pytest.raises(later.ModelProblem, match="no partner avoiding any cost"):
        later.resolve("test_simple", None, tmp_path)


def test_bad_mappings_are_refused_by_field():
    c = _linked(per_pound=Decimal("1.5"))
    problems = _refused(c)
    assert "is not a share of each pound cut" in problems[
        "lines[10] (public_health).prevention.per_pound"]
    c = _linked(mapping="proportional", per_pound=Decimal("0.5"))
    assert "applies to pound_for_pound only" in _refused(c)[
        "lines[10] (public_health).prevention.per_pound"]
    data = definition_data(_linked())
    data["lines"][10]["prevention"]["mapping"] = "sideways"
    problems = _refused(dumps_json_data(data))
    assert any(k.startswith("lines.10.prevention.mapping") for k in problems)


def dumps_json_data(data):
    import json

    return json.dumps(data)


def test_a_failure_is_remembered_until_the_model_file_changes(tmp_path):
    import os

    good = (MODELS / "simple.yaml").read_text()
    path = tmp_path / "m.yaml"
    path.write_text(good.replace("effect: {value: 0.5}", "effect: {value: 0.0}"))
    for _ in range(2):  # the second answer is the remembered one
        with pytest.raises(later.ModelProblem, match="no partner avoiding any cost"):
            later.resolve("test_simple", None, tmp_path)
    path.write_text(good)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert later.resolve("test_simple", None, tmp_path).programme == 10_000
