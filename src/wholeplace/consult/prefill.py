"""A starting consultation from the hub: the council's service lines and current budgets from its
latest RA budget (``ra.nce.*``) else its latest RS outturn (``rs.nce.*``), saying which, and the
council tax lever from its CTR figures (``ctr.band_d.*``, ``ctr.tax_base``).

The ranges and steps it proposes are starting values for the officer to edit (``DEFAULTS``);
the gap to close, consequences, floors and their legal reasons are the officer's to enter, and
the YAML it writes says so at the top.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from wholeplace.consult.models import (
    Consultation,
    CouncilTaxLever,
    PercentRange,
    Preceptor,
    Referendum,
    ServiceLine,
    Target,
)
from wholeplace.consult.validate import check_definition
from wholeplace.counciltax import AuthorityClass
from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import Store
from wholeplace.places.queries import get_place

#: Where service lines come from, in order of preference: (indicator family, what to call it).
FAMILIES: tuple[tuple[str, str], ...] = (("ra", "RA budget"), ("rs", "RS outturn"))
#: Totals and combined lines, which would count a service twice.
NOT_LINES = ("total_service", "social_care")
#: Starting ranges: each line may move by up to RANGE_STEPS steps of STEP_SHARE of its budget.
DEFAULTS: dict[str, Any] = {"step_share": Decimal("0.01"), "range_steps": 10,
                            "step_round_to": Decimal(1000),
                            "core_percent": ("-5", "10", "0.01"),
                            "adult_social_care_percent": ("0", "3", "0.01")}
OTHER_PRECEPTORS = (("county", "County council"), ("gla", "Greater London Authority"),
                    ("combined_authority", "Combined authority"),
                    ("police", "Police and crime commissioner"), ("fire", "Fire and rescue"),
                    ("parish_average", "Parish or town council (average)"))

_LINES_SQL = """
SELECT o.indicator_id, i.title, i.unit, o.period, o.period_end, o.value
FROM current_observations o JOIN indicators i USING (indicator_id)
WHERE o.area_code = ? AND o.indicator_id LIKE ? AND o.indicator_id NOT LIKE '%.per_head'
  AND o.value IS NOT NULL AND o.status <> 'derived'
ORDER BY o.period_end DESC, o.indicator_id
"""

_VALUE_SQL = """
SELECT o.value, o.period, i.unit FROM current_observations o JOIN indicators i USING (indicator_id)
WHERE o.indicator_id = ? AND o.area_code = ? AND o.value IS NOT NULL AND o.period <= ?
ORDER BY o.period_end DESC LIMIT 1
"""


def _previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def latest_lines(store: Store, code: str, year: str) -> tuple[str, str, list[dict[str, Any]]]:
    """(family label, period, rows) of the latest budget lines before ``year``."""
    for family, label in FAMILIES:
        rows = [r for r in store.rows(_LINES_SQL, [code, f"{family}.nce.%"])
                if r["period"] < year]
        if rows:
            period = rows[0]["period"]
            return label, period, [r for r in rows if r["period"] == period]
    raise NotFoundError(f"The hub has no RA budget or RS outturn lines for {code} before "
                        f"{year}. Load them (wholeplace load) or enter the lines by hand.")


def _line(row: dict[str, Any], source: str) -> ServiceLine | None:
    suffix = row["indicator_id"].split(".", 2)[2]
    if suffix in NOT_LINES or row["unit"] != "gbp_thousands":
        return None
    budget = (Decimal(str(row["value"])) * 1000).quantize(Decimal(1))
    if budget <= 0:  # net income, or a service another body delivers: not a line to move
        return None
    rounding = DEFAULTS["step_round_to"]
    step = max(rounding, (budget * DEFAULTS["step_share"] / rounding).quantize(Decimal(1))
               * rounding)
    reach = step * DEFAULTS["range_steps"]
    return ServiceLine(id=suffix, title=row["title"].split(":")[0], current_budget=budget,
                       budget_source=source, indicator=row["indicator_id"],
                       min_change=-min(reach, (budget // step) * step), max_change=reach,
                       step=step)


def _value(store: Store, indicator: str, code: str, year: str) -> tuple[Decimal, str] | None:
    row = store.row(_VALUE_SQL, [indicator, code, year])
    if row is None:
        return None
    return Decimal(str(row["value"])).quantize(Decimal("0.01")), str(row["period"])


def _authority_class(place: dict[str, Any]) -> AuthorityClass:
    if place["tier"] in ("upper", "single"):
        return AuthorityClass.SOCIAL_CARE_AUTHORITY
    if place["tier"] == "lower":
        return AuthorityClass.SHIRE_DISTRICT
    raise InputError(f"{place['name']} is a {place['la_type']}: consultations here are for "
                     "councils that set council tax (county, unitary, district).")


def council_tax_lever(store: Store, place: dict[str, Any], year: str) -> CouncilTaxLever:
    """The lever from the hub's CTR figures for the year before ``year``, or NotFoundError."""
    code, before = place["gss_code"], _previous_year(year)
    band_d = _value(store, "ctr.band_d.billing", code, before)
    base = _value(store, "ctr.tax_base", code, year)
    if band_d is None or base is None:
        raise NotFoundError(f"The hub has no council tax Band D (ctr.band_d.billing) or tax base "
                            f"(ctr.tax_base) for {code} up to {before}. Load the CTR files, or "
                            "prefill without the council tax lever (--no-council-tax).")
    cls = _authority_class(place)
    others = []
    for suffix, name in OTHER_PRECEPTORS:
        found = _value(store, f"ctr.band_d.{suffix}", code, before)
        if found is not None and found[0] > 0:
            others.append(Preceptor(name=name, band_d=found[0],
                                    source=f"CTR {found[1]} (ctr.band_d.{suffix})"))
    asc = _value(store, "ctr.band_d.adult_social_care", code, before)
    asc_range = None
    if cls is AuthorityClass.SOCIAL_CARE_AUTHORITY:
        asc_range = PercentRange(**dict(zip(("min_change", "max_change", "step"),
                                            map(Decimal, DEFAULTS["adult_social_care_percent"]))))
    return CouncilTaxLever(
        band_d=band_d[0], band_d_source=f"CTR {band_d[1]} (ctr.band_d.billing)",
        tax_base=base[0], tax_base_source=f"CTR {base[1]} (ctr.tax_base)",
        authority_class=cls,
        core=PercentRange(**dict(zip(("min_change", "max_change", "step"),
                                     map(Decimal, DEFAULTS["core_percent"])))),
        adult_social_care=asc_range, adult_social_care_band_d=asc[0] if asc else None,
        other_preceptors=others, referendum=Referendum(mode="hard_cap"))


def prefill(store: Store, code: str, year: str, with_council_tax: bool = True) -> Consultation:
    """A checked starting consultation for council ``code`` and budget year ``year``."""
    place = get_place(store, code)
    label, period, rows = latest_lines(store, place["gss_code"], year)
    source = f"{label} {period}"
    lines = [x for x in (_line(r, source) for r in rows) if x is not None]
    if not lines:
        raise NotFoundError(f"The {source} for {place['name']} has no positive service lines.")
    start = int(year[:4])
    c = Consultation(
        title=f"{place['name']}: your budget {year}", council_code=place["gss_code"],
        council_name=place["name"], budget_year=year, opens=date(start - 1, 12, 1),
        closes=date(start, 1, 31), target=Target(kind="gap", amount=Decimal(0)), lines=lines,
        council_tax=council_tax_lever(store, place, year) if with_council_tax else None,
        prefilled_from=f"hub: {source} ({len(lines)} lines)")
    return check_definition(c, f"prefill {place['gss_code']} {year}",
                            known_indicators={r["indicator_id"] for r in rows})


def hub_indicators(store: Store, code: str) -> set[str]:
    """Every budget-line indicator the hub has for a council (to check a consultation against)."""
    rows = store.rows("SELECT DISTINCT indicator_id FROM current_observations WHERE "
                      "area_code = ? AND (indicator_id LIKE 'ra.nce.%' OR indicator_id LIKE "
                      "'rs.nce.%') AND value IS NOT NULL", [code])
    return {str(r["indicator_id"]) for r in rows}


TODO_HEADER = """\
# A STARTING consultation ({source}). Before publishing, the officer:
#  - enters the gap to close (target.amount; 0 here because the hub cannot know it);
#  - checks every current budget, range and step (proposed: +/-{steps} steps of {share}%);
#  - adds each line's description, consequences and any statutory floor with its legal reason;
#  - sets the opening and closing dates, and the referendum mode (hard_cap or warn with a cost).
# Check it with: wholeplace consult check FILE
"""


def todo_header(c: Consultation) -> str:
    return TODO_HEADER.format(source=c.prefilled_from or "by hand",
                              steps=DEFAULTS["range_steps"],
                              share=DEFAULTS["step_share"] * 100)
