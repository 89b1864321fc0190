"""Look up lines of the GMCA Unit Cost Database loaded into the hub (table ``unit_costs``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import Store

ValueKind = Literal["fiscal", "economic", "social"]
VALUE_KINDS: tuple[ValueKind, ...] = ("fiscal", "economic", "social")

_COLUMNS = ("cost_code, sheet, line, outcome_category, outcome_detail, description, unit, "
            "agency, agency_detail, fiscal_value, fiscal_price_year, fiscal_value_uprated, "
            "economic_value, economic_price_year, economic_value_uprated, social_value, "
            "social_price_year, social_value_uprated, uprated_to, source, rag, comment, flags")


@dataclass(frozen=True)
class UnitCost:
    """One value of a cost line, ready to use in a model: amount, its price year, provenance."""

    cost_code: str
    kind: ValueKind
    value: float
    price_year: str
    uprated_value: float | None
    uprated_to: str | None
    description: str
    unit: str | None
    agency: str | None
    rag: str | None
    source: str | None


def _loaded(store: Store) -> None:
    if not store.scalar("SELECT count(*) FROM unit_costs"):
        raise NotFoundError("The hub holds no unit costs. Load them with "
                            "`wholeplace load --source gmca_unit_costs`.")


def search(store: Store, text: str | None = None, agency: str | None = None,
           limit: int = 50) -> list[dict[str, Any]]:
    """Cost lines whose code, category, detail or description contains ``text`` and whose
    agency (either level) contains ``agency``, case-insensitive, in the workbook's order."""
    _loaded(store)
    where, params = ["TRUE"], []
    if text:
        where.append("concat_ws(' ', cost_code, outcome_category, outcome_detail, description)"
                     " ILIKE ?")
        params.append(f"%{text}%")
    if agency:
        where.append("concat_ws(' ', agency, agency_detail) ILIKE ?")
        params.append(f"%{agency}%")
    return store.rows(f"SELECT {_COLUMNS} FROM unit_costs WHERE {' AND '.join(where)} "
                      "ORDER BY sheet, line LIMIT ?", [*params, int(limit)])


def get(store: Store, cost_code: str) -> dict[str, Any]:
    """The line with this cost code (exact, as published, e.g. ``HE7.11``)."""
    _loaded(store)
    found = store.row(f"SELECT {_COLUMNS} FROM unit_costs WHERE cost_code = ?", [cost_code])
    if found is None:
        raise NotFoundError(f"No unit cost line has the cost code {cost_code!r}. Find codes "
                            "with `wholeplace unit-costs SEARCH`.")
    return found


def unit_cost(store: Store, cost_code: str, kind: ValueKind = "fiscal") -> UnitCost:
    """The ``kind`` value of a line, refused if it has no value or no price year."""
    if kind not in VALUE_KINDS:
        raise InputError(f"kind: {kind!r} is not one of {', '.join(VALUE_KINDS)}.")
    row = get(store, cost_code)
    return from_row(row, kind)


def from_row(row: dict[str, Any], kind: ValueKind) -> UnitCost:
    value, year = row[f"{kind}_value"], row[f"{kind}_price_year"]
    code = row["cost_code"]
    if value is None:
        raise InputError(f"unit cost {code}: the line has no {kind} value; choose another line "
                         "or another kind of value.")
    if year is None:
        raise InputError(f"unit cost {code}: the {kind} value has no price year, so it cannot "
                         "be uprated to a price base; choose another line.")
    return UnitCost(code, kind, float(value), str(year), row[f"{kind}_value_uprated"],
                    row["uprated_to"], str(row["description"] or ""), row["unit"],
                    row["agency"], row["rag"], row["source"])
