"""The data of every page, built from the domain queries. HTML and JSON twins both call these.

Each function takes a read-only store and returns plain data (dicts, lists, dates): the HTML route
hands it to a template, the ``.json`` and ``/api/`` routes return it as it is. Nothing here formats
values for display (templates do) or invents one: a missing value stays ``None``.
"""

from __future__ import annotations

from datetime import date
from operator import itemgetter
from typing import Any

from wholeplace.counciltax.bill import band_d_bill
from wholeplace.errors import InputError
from wholeplace.hub import budgets
from wholeplace.hub import queries as hub
from wholeplace.hub.store import Store
from wholeplace.hub.units import UNITS
from wholeplace.places import queries as places
from wholeplace.places import services

TIERS = ("upper", "lower", "single", "combined", "strategic")
SEARCH_LIMIT = 20
MAX_QUERY = 100

#: The council page's themes in reading order, with a heading and a line on what each holds:
#: who lives there, the money, a service's outcomes, then context. Other themes follow by name.
THEMES = {
    "population": ("People", "How many people live here, by age."),
    "finance": ("Money", ("What the council spends, holds in reserve and raises in council tax: "
                "each cash figure is followed by the same figure per resident.")),
    "council_tax": ("Council tax", ("Council tax levels, tax base and dwellings by band, from "
                    "the Council Tax Requirement returns and the Council Taxbase.")),
    "adult_social_care": ("Adult social care", "Outcomes and experience of adult social care."),
    "children": ("Children and young people", ("Children's services, schools and young people's "
                 "outcomes (DfE LAIT) and Ofsted's judgements of children's services.")),
    "housing": ("Housing and homelessness", ("Homelessness duties and temporary accommodation "
                "(H-CLIC), new homes and planning.")),
    "environment": ("Waste and recycling", "Household waste collected, recycled and landfilled."),
    "highways": ("Roads", "The condition of the council's local roads."),
    "deprivation": ("Deprivation", ("Context: the English Indices of Deprivation 2019 (IoD2019) "
                    "for the council's area.")),
}
OTHER_THEME = "other"
PER_HEAD = ".per_head"
UNOFFICIAL_IMD = "imd2019_lad23."
#: The tables within a theme, in order (a theme without an entry has one table).
PARTS = {
    "finance": (("totals", "Totals and council tax"),
                ("services", "Spending by service (net current expenditure)"),
                ("reserves", "Reserves"),
                ("budget", "Budget (Revenue Account), the latest year set"),
                ("debt", "Borrowing and investments at 31 March")),
    "deprivation": (("official", "Official IoD2019 figures"),
                    ("unofficial", "Re-aggregated to 2023 boundaries (unofficial)")),
}
HEADLINE = ("population.all_ages", "rs.nce.total_service", "rs.net_current_expenditure",
                  "rs.net_revenue_expenditure", "rs.revenue_expenditure",
                  "rs.council_tax_requirement", "rs.reserves.unallocated.start",
                  "rs.reserves.unallocated.end", "rs.reserves.other_earmarked.start",
                  "rs.reserves.other_earmarked.end")
MEASURES = ("average_score", "rank_of_average_score", "extent", "proportion_most_deprived_10pct")
UNOFFICIAL_NOTE = (
    "A third party (humaniverse/IMD) re-aggregated the official neighbourhood (LSOA) scores to "
    "the local authority boundaries of 2023. These are not official statistics; for a council "
    "whose boundary has not changed they match the official figures above closely.")
UNOFFICIAL_ONLY_NOTE = (
    "The official IoD2019 figures are published for the councils of 2019, and this council was "
    "formed later, so they do not cover it. These figures are a third party's (humaniverse/IMD) "
    "re-aggregation of the official neighbourhood (LSOA) scores to the boundaries of 2023: "
    "not official statistics.")
#: "At a glance": (indicator, label, its per-head twin, listed even when not loaded).
GLANCE = (
    ("population.all_ages", "Residents", None, True),
    ("rs.nce.total_service.per_head", "Spending on services per resident", None, True),
    ("rs.reserves.unallocated.end", "Unallocated reserves at 31 March",
     "rs.reserves.unallocated.end.per_head", False),
    ("rs.reserves.other_earmarked.end", "Earmarked reserves at 31 March",
     "rs.reserves.other_earmarked.end.per_head", False),
)


def home(store: Store) -> dict[str, Any]:
    return {"regions": places.regions(store), "tiers": list(TIERS)}


def search(store: Store, q: str) -> dict[str, Any]:
    text = (q or "").strip()
    if len(text) > MAX_QUERY:
        raise InputError(f"The search text is {len(text)} characters long; use at most "
                         f"{MAX_QUERY}, for example a council or place name.")
    results = places.find_places(store, text, limit=SEARCH_LIMIT) if text else []
    if text and not results:  # a former authority is found when no current one matches
        results = places.find_places(store, text, limit=SEARCH_LIMIT, current_only=False)
    return {"query": text, "results": results}


def exact_match(data: dict[str, Any]) -> str | None:
    """The code of the one result matching the search exactly (by name or code), if any."""
    exact = [r for r in data["results"] if r["match"] in ("exact", "code")]
    return exact[0]["gss_code"] if len(exact) == 1 else None


def council_list(store: Store, region: str | None = None,
                 tier: str | None = None) -> dict[str, Any]:
    """Current councils, filtered (the place queries refuse an unknown region or tier)."""
    region = region or None
    tier = tier or None
    found = places.councils(store, region=region, tier=tier)
    return {"region": region, "tier": tier, "regions": places.regions(store),
            "tiers": list(TIERS), "councils": found}


def council(store: Store, code: str) -> dict[str, Any]:
    place = places.get_place(store, code)
    served = places.served_by(store, place["gss_code"])
    served.pop("place")  # the same dict as "council"
    latest = hub.latest_values(store, place["gss_code"])
    return {
        "council": place,
        "served_by": served,
        **_delivery(store, place["gss_code"]),
        "council_tax": band_d_bill(store, place["gss_code"]),
        "at_a_glance": _at_a_glance(latest),
        "themes": _by_theme(store, place["gss_code"], latest),
        "budget_vs_outturn": _budget_vs_outturn(store, place["gss_code"]),
    }


#: The lines of the council page's budget-against-outturn table.
BUDGET_LINES = ("nce.adult_social_care", "nce.childrens_social_care", "nce.education",
                "nce.highways_transport", "nce.total_service", "council_tax_requirement",
                "reserves.unallocated.end")


def _budget_vs_outturn(store: Store, code: str) -> dict[str, Any] | None:
    """The latest year with both a budget (RA) and an outturn (RS): a few lines side by side."""
    found = budgets.latest_comparison(store, code)
    if found is None:
        return None
    found["lines"] = [r for r in found["lines"] if r["line"] in BUDGET_LINES]
    return found


def _delivery(store: Store, code: str) -> dict[str, Any]:
    """Who delivers what; for a combined authority the domain says why there is no one answer."""
    try:
        return {"who_delivers": services.who_delivers(store, code), "who_delivers_note": None}
    except InputError as exc:
        return {"who_delivers": [], "who_delivers_note": str(exc)}


def _by_theme(store: Store, code: str, latest: list[dict]) -> list[dict[str, Any]]:
    """The latest values grouped by theme, in THEMES order, each with its history (``series``)
    when it has one. A theme lists its ``parts`` (a table each); every row names its ``part``
    and comes in reading order: headline figures first, a per-head row after its cash row."""
    history = _history(store, code, latest)

    def theme(row: dict) -> str:
        return row["theme"] or OTHER_THEME

    def theme_order(name: str) -> tuple:
        return (list(THEMES).index(name) if name in THEMES else len(THEMES), name)

    out = []
    for name in sorted({theme(r) for r in latest}, key=theme_order):
        rows = [r for r in latest if theme(r) == name]
        titles = {r["indicator_id"]: r["title"] for r in rows}
        values = [{**row, "part": _part(row), "series": history.get(row["indicator_id"], []),
                   "value_label": _grade_word(row)} for row in rows]
        parts = _parts(name, {v["part"] for v in values})
        order = [p["key"] for p in parts]
        values.sort(key=lambda v: (order.index(v["part"]), _row_key(v, titles)))
        label, about = THEMES.get(name, (name.replace("_", " ").capitalize(), None))
        out.append({"theme": name, "label": label, "about": about,
                    "anchor": f"theme-{name.replace('_', '-')}", "parts": parts,
                    "per_head_note": _per_head_note(values), "indicators": values})
    return out


def _grade_word(row: dict) -> str | None:
    """The word of an ordinal grade (Ofsted: "Good"), None for any other value."""
    unit = UNITS.get(row.get("unit") or "")
    return unit.label_of(row.get("value")) if unit is not None and unit.ordinal else None


def _per_head_note(rows: list[dict]) -> str | None:
    """The note every per-head row of a theme shares (which population divides them), so the
    page can say it once; None when they differ or there are none."""
    notes = {r["note"] for r in rows if r["indicator_id"] != _base_id(r)}
    return notes.pop() if len(notes) == 1 else None


def _base_id(row: dict) -> str:
    """The cash indicator a per-head row belongs with (the row's own id otherwise)."""
    ident = row["indicator_id"]
    if row.get("per_head_of"):
        return row["per_head_of"]
    return ident.removesuffix(PER_HEAD) if ident.endswith(PER_HEAD) else ident


def _part(row: dict) -> str:
    ident = _base_id(row)
    if ident.startswith(UNOFFICIAL_IMD):
        return "unofficial"
    if ident.startswith("imd2019."):
        return "official"
    if ident.startswith("ra."):
        return "budget"
    if ident.startswith("debt."):
        return "debt"
    if ident.startswith("rs.reserves."):
        return "reserves"
    if ident.startswith("rs.nce.") and ident not in HEADLINE:
        return "services"
    if ident.startswith("rs."):
        return "totals"
    return "all"


def _parts(theme: str, present: set[str]) -> list[dict[str, Any]]:
    """The tables of one theme, in order, each with its caption; only parts that have rows."""
    out = []
    for key, caption in (*PARTS.get(theme, ()), ("all", None)):
        if key not in present:
            continue
        part = {"key": key, "caption": caption, "collapsed": False, "note": None}
        if key == "unofficial":
            # Shown openly only where the official figures do not cover the council.
            part["collapsed"] = "official" in present
            part["note"] = (UNOFFICIAL_NOTE if part["collapsed"] else UNOFFICIAL_ONLY_NOTE)
        out.append(part)
    return out


def _row_key(row: dict, titles: dict[str, str]) -> tuple:
    """Reading order in a part: headline figures in HEADLINE order, the IMD before its
    domains and each domain's measures in MEASURES order, then by title; a per-head row
    straight after its cash row."""
    base = _base_id(row)
    title = titles.get(base, row["title"])
    first = HEADLINE.index(base) if base in HEADLINE else len(HEADLINE)
    if base.startswith(("imd2019.", UNOFFICIAL_IMD)):
        _, domain, measure = ([*base.split(".", 2), "", ""])[:3]
        rank = MEASURES.index(measure) if measure in MEASURES else len(MEASURES)
        return (domain != "imd", title.split(":")[0], rank, title, base != row["indicator_id"])
    return (first, title, base != row["indicator_id"])


def _at_a_glance(latest: list[dict]) -> list[dict[str, Any]]:
    """A few headline figures, taken as they are from the latest values (each with its period
    and source). Population and spending per head are always listed, as "not loaded" when the
    hub has no figure; a reserves line only when the council has one."""
    found = {r["indicator_id"]: r for r in latest}
    out = []
    for ident, label, per_head, always in GLANCE:
        row = found.get(ident)
        if row is None and not always:
            continue
        item = {"indicator_id": ident, "label": label, "loaded": row is not None,
                "value": None, "unit": None, "period": None, "status": None,
                "dataset_id": None, "dataset_title": None, "per_head": None}
        if row is not None:
            item.update({k: row[k] for k in ("value", "unit", "period", "status", "dataset_id",
                                              "dataset_title")})
            twin = found.get(per_head) if per_head else None
            if twin is not None and twin["period"] == row["period"]:
                item["per_head"] = {"indicator_id": per_head, "value": twin["value"],
                                    "unit": twin["unit"]}
        out.append(item)
    return out


def _history(store: Store, code: str, latest: list[dict]) -> dict[str, list[dict]]:
    """Every period of every indicator for one area, in one query, as (period, value, status).

    Read as published today (each source's newest release), and kept for an indicator only when
    it ends on exactly the latest value shown, so a chart can never disagree with the table.
    """
    points: dict[str, list[tuple]] = {}
    for ind, period, period_end, value, status in hub.series_as_published(
            store, date.today(), code):
        points.setdefault(ind, []).append((period_end, period, value, status))
    out = {}
    for row in latest:
        found = points.get(row["indicator_id"])
        if not found:
            continue
        found = sorted(found, key=itemgetter(0))  # by period_end (stable)
        if (found[-1][1], found[-1][2]) == (row["period"], row["value"]):
            out[row["indicator_id"]] = [{"period": period, "value": value, "status": status}
                                        for _, period, value, status in found]
    return out


def dataset_list(store: Store) -> dict[str, Any]:
    return {"datasets": hub.datasets(store)}


def dataset(store: Store, dataset_id: int) -> dict[str, Any]:
    return {"dataset": hub.dataset(store, dataset_id)}


def indicator_list(store: Store) -> dict[str, Any]:
    return {"indicators": hub.indicators(store)}
