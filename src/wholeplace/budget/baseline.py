"""A plan's starting point from the hub: every council serving a place, with its real figures.

For a lower-tier or single-tier place, :func:`baseline` reads (``current_observations`` only):

* each council serving a resident there (the district, its county and the combined authority,
  or the unitary and its combined authority): per service line (``nce.*``) the latest RA budget
  up to the base year, else the latest RS outturn, saying which year and source per line;
* council tax from CTR for the base year: the council's own Band D (``ctr.band_d.billing`` for a
  billing authority, ``ctr.band_d.county`` / ``ctr.band_d.combined_authority`` for a preceptor)
  and its tax base for tax-setting (``ctr.tax_base``, which already allows for losses on
  collection, so the collection rate is 1); growth at the year's referendum limit where the
  principles file has one;
* reserves at the last 31 March: RS (else RA) ``reserves.unallocated.end`` and earmarked
  (``reserves.other_earmarked.end`` plus ``reserves.public_health.end``);
* the population by age band of the council's area (ONS mid-year estimates), continued at its
  recent trend to drive demand (65+ adult social care, 0-17 children's services and education).

The base year is the latest RA budget year of the place's council. Missing figures stay missing:
they are listed in :attr:`Baseline.missing` and written as ``null``, so the plan does not run
until someone enters them. Every figure says where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wholeplace.budget.plan_model import ILLUSTRATIVE, Plan, fy_label
from wholeplace.counciltax import AuthorityClass
from wholeplace.counciltax.referendum import referendum_limit, referendum_years
from wholeplace.errors import InputError, NotFoundError, WholeplaceError
from wholeplace.hub.store import Store
from wholeplace.places.queries import get_place, resident_councils

#: Service lines (suffix of ra.nce.* / rs.nce.*), their names, pay share and demand driver.
LINES: tuple[tuple[str, str, float, str | None], ...] = (
    ("education", "Education", 0.6, "age_0_17"),
    ("highways_transport", "Highways and transport", 0.3, None),
    ("childrens_social_care", "Children's social care", 0.5, "age_0_17"),
    ("adult_social_care", "Adult social care", 0.3, "age_65_plus"),
    ("public_health", "Public health", 0.3, None),
    ("housing_gf", "Housing (general fund)", 0.4, None),
    ("cultural", "Cultural and related", 0.5, None),
    ("environmental_regulatory", "Environmental and regulatory", 0.4, None),
    ("planning_development", "Planning and development", 0.6, None),
    ("police", "Police", 0.8, None),
    ("fire_rescue", "Fire and rescue", 0.8, None),
    ("central", "Central services", 0.6, None),
    ("other", "Other services", 0.5, None),
)
BANDS = ("age_0_17", "age_18_64", "age_65_plus", "age_85_plus", "all_ages")
TREND_YEARS = 5
PAY_SHARE_NOTE = ("pay shares are illustrative assumptions (share of each line's net cost that "
                  "follows pay inflation); edit them")
DEMONSTRATION_NOTE = "DEMONSTRATION"

_LATEST_SQL = """
SELECT o.value, o.period, o.status FROM current_observations o
WHERE o.indicator_id = ? AND o.area_code = ? AND o.period <= ? AND o.status <> 'derived'
  AND o.value IS NOT NULL
ORDER BY o.period_end DESC LIMIT 1
"""
_SERIES_SQL = """
SELECT o.period, o.value FROM current_observations o
WHERE o.indicator_id = ? AND o.area_code = ? AND o.value IS NOT NULL AND o.period LIKE 'mid-%'
ORDER BY o.period
"""


@dataclass
class Baseline:
    """A plan definition (as data, ready for YAML) and what the hub could not supply."""

    definition: dict[str, Any]
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def plan(self) -> Plan:
        """The definition as a checked Plan; refused while any figure is missing."""
        if self.missing:
            raise InputError("The baseline is missing figures the hub does not have: "
                             + "; ".join(self.missing) + ". Enter them in the YAML file.")
        return Plan.model_validate(self.definition)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _kind(place: dict[str, Any]) -> str:
    tier, la_type = place["tier"], str(place["la_type"]).lower()
    if tier == "lower":
        return "district"
    if tier == "upper":
        return "county"
    if tier == "combined":
        return "combined_authority"
    if "metropolitan" in la_type:
        return "metropolitan_district"
    if "london" in la_type:
        return "london_borough"
    return "unitary" if tier == "single" else "other"


def _latest(store: Store, indicator: str, code: str, year: str) -> tuple[float | None, str]:
    """(value, period) of the latest figure up to ``year``; value None if missing/absent."""
    row = store.row(_LATEST_SQL, [indicator, code, year])
    if row is None:
        return None, ""
    return (None if row["value"] is None else float(row["value"])), str(row["period"])


def base_year(store: Store, code: str) -> str:
    period = store.scalar(
        "SELECT max(period) FROM current_observations WHERE area_code = ? AND indicator_id "
        "LIKE 'ra.nce.%' AND indicator_id NOT LIKE '%.per_head' AND value IS NOT NULL", [code])
    if period is None:
        raise NotFoundError(f"The hub has no RA budget for {code}: load the RA sources "
                            "(wholeplace load) first.")
    return str(period)


def _line_figure(store: Store, code: str, suffix: str, year: str
                 ) -> tuple[float | None, str, str]:
    """(value, source text, family) for one service line: RA up to the year, else RS."""
    for family, label in (("ra", "RA budget"), ("rs", "RS outturn")):
        value, period = _latest(store, f"{family}.nce.{suffix}", code, year)
        if value is not None and (family == "rs" or period == year):
            return value, f"{label} {period} ({family}.nce.{suffix})", family
    return None, "", ""


def revenue_lines(store: Store, code: str, year: str, name: str, with_demand: bool = True
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """(spending lines, net-income lines, missing) for one council."""
    lines, income, missing = [], [], []
    for suffix, title, pay, driver in LINES:
        value, source, _ = _line_figure(store, code, suffix, year)
        if value is None:
            missing.append(f"{name}: {title} (no RA {year} budget or RS outturn; left out)")
            continue
        if value == 0:
            continue  # a service this council does not provide
        if value < 0:
            income.append({"id": f"net_income_{suffix}", "name": f"Net income: {title}",
                           "kind": "fees", "base": -value,
                           "growth": {"value": 0.0, "source": ILLUSTRATIVE},
                           "source": f"{source}: a net income of {-value:,.0f}"})
            continue
        line: dict[str, Any] = {"id": suffix, "name": title, "base": value, "pay_share": pay,
                                "source": source}
        if driver is not None and with_demand:
            line["demand_driver"] = driver
        lines.append(line)
    return lines, income, missing


def _authority_class(kind: str) -> AuthorityClass | None:
    if kind in ("county", "unitary", "metropolitan_district", "london_borough"):
        return AuthorityClass.SOCIAL_CARE_AUTHORITY
    if kind == "district":
        return AuthorityClass.SHIRE_DISTRICT
    return None


def allowed_rise(cls: AuthorityClass, year: str, band_d: float) -> tuple[float, str] | None:
    """The largest Band D rise (fraction) without a referendum in ``year`` and the principles
    year used: a year after the last in the principles file uses the last year's principle."""
    years = referendum_years()
    use = year if year in years else max(years)
    try:
        limit = referendum_limit(use, cls)
    except WholeplaceError:
        return None
    p = limit.principle
    rise = (p.percent_bp - 1) / 10000 if p.percent_bp is not None else 0.0
    if p.rule == "both" and p.pounds_pence is not None and band_d > 0:
        rise = max(rise, p.pounds_pence / 100 / band_d)
    elif p.rule == "pounds" and p.pounds_pence is not None and band_d > 0:
        rise = p.pounds_pence / 100 / band_d
    return round(rise, 6), use


def _rise_source(labels: list[str], used: list[str]) -> str:
    carried = [y for y, u in zip(labels, used) if y != u]
    text = ("the largest Band D rise without a referendum under the council tax referendum "
            "principles (counciltax/referendum_limits.yaml) for "
            + ", ".join(sorted(set(used))))
    if carried:
        text += f"; {max(used)} principles continued for {', '.join(carried)}"
    return text


def council_tax(store: Store, code: str, kind: str, year: str, labels: list[str], name: str
                ) -> tuple[dict[str, Any] | None, list[str]]:
    """The council tax block from CTR for the base year (None when it levies none)."""
    indicator = {"county": "ctr.band_d.county",
                 "combined_authority": "ctr.band_d.combined_authority"}.get(kind,
                                                                            "ctr.band_d.billing")
    band_d, p1 = _latest(store, indicator, code, year)
    base, p2 = _latest(store, "ctr.tax_base", code, year)
    if band_d is None and base is None:
        return None, [] if kind == "combined_authority" else [
            f"{name}: council tax Band D and tax base ({indicator}, ctr.tax_base) for {year}"]
    missing = [f"{name}: council tax {what} for {year}" for what, v, p in
               (("Band D (" + indicator + ")", band_d, p1), ("tax base (ctr.tax_base)", base, p2))
               if v is None or p != year]
    block: dict[str, Any] = {
        "band_d": band_d, "tax_base": base, "collection_rate": 1.0,
        "source": f"CTR {year}: {indicator} and ctr.tax_base (the tax base for tax-setting, "
                  "after allowing for losses on collection)",
        "tax_base_growth": {"value": 0.01, "source": ILLUSTRATIVE}}
    cls = _authority_class(kind)
    rises = [allowed_rise(cls, y, band_d or 0.0) for y in labels] if cls else []
    found = [r for r in rises if r is not None]
    if rises and len(found) == len(rises):
        values = [r[0] for r in found]
        source = _rise_source(labels, [r[1] for r in found])
        block["growth"] = {"value": values, "source": source}
        block["cap"] = {"limit": max(values), "capped": True, "source": source}
    else:
        block["growth"] = {"value": 0.0, "source": ILLUSTRATIVE,
                           "note": "no referendum principle applies or is in the file"}
    return block, missing


def reserves(store: Store, code: str, year: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """Earmarked and unallocated reserves at the last 31 March up to the end of ``year``."""
    found: dict[str, tuple[float | None, str, str]] = {}
    for part in ("unallocated", "other_earmarked", "public_health"):
        best: tuple[float | None, str, str] = (None, "", "")
        for family in ("rs", "ra"):
            value, period = _latest(store, f"{family}.reserves.{part}.end", code, year)
            if value is not None and period > best[1]:
                best = (value, period, family)
        found[part] = best
    missing = [f"{name}: reserves ({part}) at 31 March" for part in ("unallocated",
               "other_earmarked") if found[part][0] is None]
    earmarked = None
    if found["other_earmarked"][0] is not None:
        earmarked = max(0.0, found["other_earmarked"][0] + (found["public_health"][0] or 0.0))
    unallocated = found["unallocated"][0]
    used = sorted({f"{f.upper()} {p} ({f}.reserves.{k}.end)" for k, (v, p, f) in found.items()
                   if v is not None})
    out = {"earmarked": earmarked, "unallocated": None if unallocated is None
           else max(0.0, unallocated),
           "source": "reserves at 31 March at the end of: " + "; ".join(used)}
    return out, missing


def population(store: Store, code: str, first: int, years: int
               ) -> tuple[dict[str, list[float]], list[str], str]:
    """Each band for mid-<first> (the base year) then each plan year: the estimate where the hub
    has one, else the latest estimate continued at its average annual change over the last
    five years of estimates."""
    out, missing, used = {}, [], []
    for band in BANDS:
        series = {int(r["period"][4:]): float(r["value"]) for r in
                  store.rows(_SERIES_SQL, [f"population.{band}", code])}
        if not series:
            missing.append(band)
            continue
        last = max(series)
        start = min((y for y in series if y >= last - TREND_YEARS), default=last)
        growth = (series[last] / series[start]) ** (1 / (last - start)) if last > start else 1.0
        out[band] = [round(series.get(y, series[last] * growth ** (y - last)), 1)
                     for y in range(first, first + years + 1)]
        used.append(f"{band} mid-{start} to mid-{last}")
    text = ("ONS mid-year estimates (hub population.*); years after the latest estimate continue "
            "its average annual change (" + ", ".join(used) + "): a trend, not an ONS projection")
    return out, missing, text


def _partner(store: Store, council: dict[str, Any], year: str, labels: list[str],
             years: int) -> tuple[dict[str, Any], list[str]]:
    code, name = council["gss_code"], council["name"]
    kind = _kind(council)
    # demand drivers only where the council provides social care (county, unitary)
    spend, income, missing = revenue_lines(store, code, year, name,
                                           _authority_class(kind) is
                                           AuthorityClass.SOCIAL_CARE_AUTHORITY)
    ct, m2 = council_tax(store, code, kind, year, labels, name)
    res, m3 = reserves(store, code, year, name)
    partner: dict[str, Any] = {"id": slug(name), "name": council["official_name"] or name,
                               "kind": kind, "gss_code": code, "revenue_lines": spend,
                               "reserves": res}
    if any("demand_driver" in x for x in spend):
        pops, gaps, text = population(store, code, int(year[:4]), years)
        partner["population"], partner["population_source"] = pops, text
        drivers = {x["demand_driver"] for x in spend if "demand_driver" in x}
        missing += [f"{name}: population {b} (drives demand)" for b in gaps if b in drivers]
    balance = sum(x["base"] for x in spend) - sum(x["base"] for x in income)
    if ct is not None:
        partner["council_tax"] = ct
        if ct["band_d"] is not None and ct["tax_base"] is not None:
            balance -= ct["band_d"] * ct["tax_base"] / 1000.0
    if balance > 0:
        income.append({"id": "other_funding",
                       "name": "Grants, retained business rates and other funding",
                       "kind": "grant", "base": round(balance, 3),
                       "growth": {"value": 0.0, "source": ILLUSTRATIVE},
                       "source": f"derived: the {year} service lines less council tax and net "
                                 "income (a council sets a balanced budget)"})
    partner["income_lines"] = income
    return partner, missing + m2 + m3


def baseline(store: Store, code: str, years: int = 5, title: str | None = None,
             demonstration: bool = False) -> Baseline:
    """The plan definition for the councils serving the place ``code`` (see the module)."""
    if not 1 <= years <= 10:
        raise InputError(f"years: {years} is outside 1 to 10 (a plan covers 5 to 10 years, "
                         "at least 1).")
    place = get_place(store, code)
    if place["tier"] not in ("lower", "single"):
        raise InputError(f"{place['name']} is a {place['la_type']}: give a district or a "
                         "single-tier council (the place whose councils the plan covers).")
    year = base_year(store, place["gss_code"])
    start = int(year[:4]) + 1
    labels = [fy_label(start + i) for i in range(years)]
    partners, missing = [], []
    for body in resident_councils(store, place):
        full = get_place(store, body["gss_code"])
        partner, gaps = _partner(store, full, year, labels, years)
        partners.append(partner)
        missing += gaps
    mark = f"{DEMONSTRATION_NOTE}: " if demonstration else ""
    definition: dict[str, Any] = {
        "id": slug(f"{place['name']} {years} year plan"),
        "title": title or f"{mark}{place['name']}: a {years}-year plan from {labels[0]}",
        "place": place["gss_code"], "start_year": start, "years": years,
        "illustration": demonstration,
        "note": (f"{mark}Baseline from the hub (base year {year}): RA budgets else RS outturn "
                 "per line, CTR council tax, reserves at 31 March, ONS population; "
                 f"{PAY_SHARE_NOTE}; inflation and income growth rates are illustrative."),
        "assumptions": {"pay_inflation": {"value": 0.03, "source": ILLUSTRATIVE},
                        "non_pay_inflation": {"value": 0.02, "source": ILLUSTRATIVE}},
        "partners": partners,
        "scenarios": [{"id": "baseline", "title": "Baseline"}]}
    notes = [f"base year {year}; plan years {labels[0]} to {labels[-1]}"]
    return Baseline(definition, [m for m in missing if "left out" not in m],
                    notes + [m for m in missing if "left out" in m])
