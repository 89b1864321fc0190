"""The later cost of cutting a prevention service: the same share of every partner's avoided
cost, year by year, bounded by the whole programme; hand-checked on the falls example."""

from __future__ import annotations

from pathlib import Path

import pytest

from wholeplace.budget.consequences import cut_consequences
from wholeplace.budget.files import load
from wholeplace.budget.prevention import central, prepare
from wholeplace.budget.prevention_model import Intervention
from wholeplace.errors import InputError

FALLS = Path(__file__).parents[2] / "examples/prevention/falls.yaml"


def _model():
    m = load(Intervention, FALLS)
    # unit costs by value in the test (the hub supplies them by cost code in use)
    outcomes = [o.model_copy(update={"unit_cost": o.unit_cost.model_copy(update={
        "cost_code": None, "value": 1000.0, "price_year": m.price_base,
        "source": "test value"}), "public_value": ()}) for o in m.outcomes]
    return prepare(m.model_copy(update={"outcomes": tuple(outcomes)}))


def test_a_cut_loses_the_same_share_of_every_partners_saving():
    model = _model()
    e = model.run(central(model.params))
    programme = float(e.total("cost")[0].mean())
    half = cut_consequences(model, programme / 2)
    assert half["share_of_programme"] == pytest.approx(0.5)
    for p in half["partners"]:
        saved = e.saving[p["partner"]][0]
        assert list(p["by_year"].values()) == pytest.approx(list(0.5 * saved))
    assert half["total"] == pytest.approx(0.5 * float(e.total("saving")[0].sum()))


def test_more_than_the_programme_loses_all_of_it_and_nothing_loses_nothing():
    model = _model()
    whole = cut_consequences(model, 1e12)
    assert whole["share_of_programme"] == 1.0
    assert cut_consequences(model, 0)["total"] == 0
    with pytest.raises(InputError, match="negative"):
        cut_consequences(model, -1)
