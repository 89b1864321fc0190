"""The later cost of cutting a service that prevents demand: when a resident (or a plan) cuts a
line funding a prevention model, the savings it would have made are lost in proportion.

A cut of ``cut`` £ a year from a programme whose modelled cost is ``C`` £ a year (the mean over
the model's years, central values) removes a share ``min(1, cut / C)`` of the programme, and so
the same share of each partner's avoided cost in each year (after the model's lag and decay):
the extra cost that partner then bears. Pure; money at the model's price base.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wholeplace.budget.prevention import Model, central
from wholeplace.errors import InputError


def cut_consequences(model: Model, cut: float) -> dict[str, Any]:
    """Per partner and year, the extra cost a cut of ``cut`` £ a year (positive) brings."""
    if cut < 0:
        raise InputError(f"cut: {cut} is negative; give the amount taken from the service.")
    e = model.run(central(model.params))
    labels = model.labels
    programme = float(np.mean(e.total("cost")[0]))
    if programme <= 0:
        raise InputError(f"{model.m.id}: the model has no cost to cut from.")
    share = min(1.0, cut / programme)
    partners: list[dict[str, Any]] = []
    for pid, name in model.m.partners.items():
        extra = share * e.saving[pid][0]
        if not extra.any():
            continue
        partners.append({"partner": pid, "name": name,
                         "by_year": {y: float(v) for y, v in zip(labels, extra)},
                         "total": float(extra.sum())})
    total = float(sum(p["total"] for p in partners))
    return {"model": model.m.id, "title": model.m.title, "price_base": model.m.price_base,
            "illustration": model.m.illustration, "share_of_programme": share,
            "programme_cost_per_year": programme, "years": labels, "partners": partners,
            "total": total}
