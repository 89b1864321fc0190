"""Early-warning rules, declared as data, and the pure arithmetic they need.

Pure: nothing here reads the hub. :mod:`wholeplace.insight.early_warning.resilience` reads the
Revenue Outturn
Summary (RS) observations and hands plain numbers to these functions.

* :data:`INDICATORS` is the declarative table of risk indicators (id, unit, polarity, the RS
  lines used, the absolute threshold and where it comes from, or ``None`` for a relative-only
  rule). :class:`RiskSettings` holds the banding cut-offs; both are replaceable
  (``dataclasses.replace``) so thresholds and variables are configurable without code changes.
* :func:`quantile`, :func:`percentile` and :func:`risk_band` place a value among comparators;
  :func:`sustainability_years` and :func:`change_over_window` turn a series with gaps in its years
  into a rate of use that says which years it spans; :func:`trend_phrase` describes a direction.

Missing stays missing: every function returns ``None`` (or the band "not enough data") when an
input is missing; nothing is ever treated as 0. A value that is published but cannot be read as a
percentage (a ratio to a net figure at or below zero, a percentage change of a net figure that is
or becomes zero or negative) gets the band "not meaningful" with the reason in words
(:func:`nonpositive_base_reason`, :func:`net_change_reason`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LOWER_RISKIER, HIGHER_RISKIER = "lower_is_riskier", "higher_is_riskier"
HIGHER, SOME, LOWER, NO_DATA = "higher risk", "some risk", "lower risk", "not enough data"
NOT_APPLICABLE = "not applicable"
#: Published values that cannot be read as a percentage (a net figure at or below zero).
NOT_MEANINGFUL = "not meaningful"
#: Band order, most at risk first.
BANDS = (HIGHER, SOME, LOWER, NO_DATA, NOT_MEANINGFUL, NOT_APPLICABLE)
#: Bands that say the council was not judged on the indicator.
UNJUDGED = frozenset({NO_DATA, NOT_MEANINGFUL, NOT_APPLICABLE})

#: Councils responsible for social care (upper tier and single tier), by register ``la_type``.
SOCIAL_CARE_TYPES = frozenset({"county council", "unitary", "metropolitan district",
                               "London borough", "City of London", "Isles of Scilly"})

#: Where the one absolute threshold comes from (see docs/early-warning.md).
PRUDENCE_FLOOR_SOURCE = (
    "A widely used rule of thumb (reserves below about 5% of net revenue expenditure are often "
    "called imprudently low by external auditors and commentators). CIPFA's LAAP Bulletin 99 "
    "(2014) deliberately sets no statutory or recommended minimum, so this is a convention, "
    "not a standard.")
RELATIVE_ONLY = ("Relative-only rule: no defensible absolute level exists, so the band depends "
                 "only on the council's position among its comparators.")


@dataclass(frozen=True)
class RiskIndicator:
    """One early-warning indicator: what it measures, from which RS lines, and its rule."""

    id: str
    title: str
    unit: str  # "percent", "years" or "percentage points"
    polarity: str  # LOWER_RISKIER or HIGHER_RISKIER
    definition: str
    lines: tuple[str, ...]
    group: str = "financial"  # "financial" or "service"
    threshold: float | None = None
    threshold_source: str = RELATIVE_ONLY
    applies_to: frozenset[str] | None = None  # register la_types; None = every council

    def beyond_threshold(self, value: float | None) -> bool | None:
        """Whether ``value`` is on the risky side of the absolute threshold (None: no rule)."""
        if self.threshold is None or value is None:
            return None
        return value < self.threshold if self.polarity == LOWER_RISKIER else value > self.threshold


_USABLE = ("rs.reserves.unallocated.start/.end (RS line 916)",
           "rs.reserves.other_earmarked.start/.end (RS line 915)")
_NRE = "rs.net_revenue_expenditure (RS line 805; line 799 in 2010-11)"
_SOCIAL = ("rs.nce.adult_social_care (RS line 360)", "rs.nce.childrens_social_care (line 330)",
           "rs.nce.social_care (2010-11 'Social care' line)",
           "rs.nce.total_service (RS line 699)")
_DEBT = "debt.borrowing.total (borrowing and investment table, QB4)"
_NEIGHBOURHOOD = ("rs.nce.cultural (RS line 509)", "rs.nce.environmental_regulatory (line 590)",
                  "rs.nce.planning_development (line 599)",
                  "rs.nce.highways_transport (line 290)")

INDICATORS: tuple[RiskIndicator, ...] = (
    RiskIndicator(
        "reserves_sustainability", "Reserves sustainability", "years", LOWER_RISKIER,
        "Years until usable reserves (unallocated + other earmarked) would be used up if they "
        "kept falling at their average annual rate over the last (up to) 3 years of published "
        "levels. Only when they are falling; otherwise 'not falling'.", _USABLE),
    RiskIndicator(
        "usable_reserves_pct_nre", "Usable reserves as % of net revenue expenditure", "percent",
        LOWER_RISKIER, "Unallocated + other earmarked reserves at 31 March, as a percentage of "
        "the year's net revenue expenditure. Schools and public health reserves are excluded: "
        "they are ring-fenced.", (*_USABLE, _NRE), threshold=5.0,
        threshold_source=PRUDENCE_FLOOR_SOURCE),
    RiskIndicator(
        "usable_reserves_change_pct", "Change in usable reserves over the last 3 years",
        "percent", LOWER_RISKIER, "Percentage change in usable reserves between the level about "
        "3 years before 31 March of the year and that level (the years spanned are given).",
        _USABLE),
    RiskIndicator(
        "unallocated_pct_nre", "Unallocated reserves as % of net revenue expenditure", "percent",
        LOWER_RISKIER, "The general (unallocated) balance at 31 March as a percentage of net "
        "revenue expenditure.", ("rs.reserves.unallocated.end (RS line 916)", _NRE)),
    RiskIndicator(
        "earmarked_pct_nre", "Other earmarked reserves as % of net revenue expenditure",
        "percent", LOWER_RISKIER, "Earmarked reserves other than schools and public health at 31 "
        "March as a percentage of net revenue expenditure.",
        ("rs.reserves.other_earmarked.end (RS line 915)", _NRE)),
    RiskIndicator(
        "social_care_share", "Social care share of service spending", "percent", HIGHER_RISKIER,
        "(Adult + children's social care net current expenditure) / total service expenditure "
        "(line 699, net current expenditure), not net revenue expenditure, so both sides are on "
        "the same basis. 2010-11 uses the single 'Social care' line. Upper and single tier "
        "councils only.", _SOCIAL, applies_to=SOCIAL_CARE_TYPES),
    RiskIndicator(
        "council_tax_pct_nre", "Council tax requirement as % of net revenue expenditure",
        "percent", LOWER_RISKIER, "Council tax requirement / net revenue expenditure. Read as "
        "in CIPFA's Financial Resilience Index: a lower ratio means more of the budget depends "
        "on government grants and business rates, which the council does not control.",
        ("rs.council_tax_requirement (RS line 890)", _NRE)),
    RiskIndicator(
        "neighbourhood_spend_change_pct", "Change in neighbourhood-service spending",
        "percent", LOWER_RISKIER, "Percentage change over the last (up to) 3 years of the sum of "
        "net current expenditure on cultural, environmental and regulatory, planning and "
        "development, and highways and transport services, in cash terms (per-head values "
        "exist only for 2017-18, so no per-head change can be computed). 'Not meaningful' when "
        "the sum is zero or negative at either end: income netted against these services then "
        "exceeds their cost, and a change across zero is not a cut.", _NEIGHBOURHOOD,
        group="service"),
    RiskIndicator(
        "social_care_share_change", "Change in social care share of service spending",
        "percentage points", HIGHER_RISKIER, "Change, in percentage points, of the social care "
        "share over the last (up to) 3 years.", _SOCIAL, group="service",
        applies_to=SOCIAL_CARE_TYPES),
    # -- the decade measures (wholeplace.insight.early_warning.measures) ----------------------
    RiskIndicator(
        "reserves_runout", "Reserves run-out at the latest rate of drawdown", "years",
        LOWER_RISKIER, "Years until usable reserves (unallocated + other earmarked) would be "
        "used up if they kept falling at the rate they fell in the latest year (31 March to 31 "
        "March). Only when they fell; otherwise 'not falling'. CIPFA's reserves sustainability "
        "measure uses the average of 3 years (reserves_sustainability); this one sees a sudden "
        "drawdown a year sooner.", _USABLE),
    *(RiskIndicator(
        f"{stem}_change_{n}y", f"Change in {what} as % of net revenue expenditure over "
        f"{n} years", "percentage points", LOWER_RISKIER, f"Change, in percentage points, of "
        f"{what} at 31 March as a percentage of the year's net revenue expenditure, over the "
        f"last (up to) {n} years (the years spanned are given). CIPFA's 'change in reserves' "
        "measure, as a share of the budget so that a growing budget does not hide a fall.",
        lines) for stem, what, lines in (
            ("usable_reserves_pct_nre", "usable reserves", (*_USABLE, _NRE)),
            ("unallocated_pct_nre", "unallocated reserves",
             ("rs.reserves.unallocated.end (RS line 916)", _NRE))) for n in (3, 5)),
    RiskIndicator(
        "debt_pct_nre", "Total external borrowing as % of net revenue expenditure", "percent",
        HIGHER_RISKIER, "Total external borrowing at 31 March as a percentage of the year's net "
        "revenue expenditure (CIPFA's 'gross external debt' measure, scaled by the budget). "
        "Borrowing several times NRE is common for councils that own housing or commercial "
        "property; the comparison is with councils of the same kind. The borrowing table in the "
        "hub covers 31 March 2014 to 31 March 2020.", (_DEBT, _NRE)),
    RiskIndicator(
        "debt_growth_pct", "Growth in total external borrowing over the last 3 years",
        "percent", HIGHER_RISKIER, "Percentage change of total external borrowing at 31 March "
        "over the last (up to) 3 years. 'Not meaningful' when there was no borrowing at the "
        "start.", (_DEBT,)),
    RiskIndicator(
        "adult_social_care_overspend_pct", "Adult social care spent against budget", "percent",
        HIGHER_RISKIER, "100 x (adult social care net current expenditure in the outturn - the "
        "same year's budget) / the budget: positive when the council spent more than it "
        "budgeted. Both from the council's own returns (RS outturn, RA budget). Upper and single "
        "tier councils only.", ("rs.nce.adult_social_care (RS line 360)",
                                "ra.nce.adult_social_care (RA budget)"),
        applies_to=SOCIAL_CARE_TYPES),
    RiskIndicator(
        "childrens_social_care_overspend_pct", "Children's social care spent against budget",
        "percent", HIGHER_RISKIER, "100 x (children's social care net current expenditure in "
        "the outturn - the same year's budget) / the budget: positive when the council spent "
        "more than it budgeted. Upper and single tier councils only.",
        ("rs.nce.childrens_social_care (RS line 330)", "ra.nce.childrens_social_care (RA budget)"),
        applies_to=SOCIAL_CARE_TYPES),
    RiskIndicator(
        "neighbourhood_share_change", "Neighbourhood services' share of service spending, "
        "change over 5 years", "percentage points", LOWER_RISKIER, "Change, in percentage "
        "points, over the last (up to) 5 years of the share of total service expenditure (line "
        "699) spent on cultural, environmental and regulatory, planning and development, and "
        "highways and transport services (net current expenditure): the squeeze of "
        "neighbourhood services by statutory demand. A share needs no price index, unlike a "
        "cash change.", (*_NEIGHBOURHOOD, "rs.nce.total_service (RS line 699)"),
        group="service"),
)


@dataclass(frozen=True)
class RiskSettings:
    """Banding cut-offs and comparison windows (all configurable)."""

    #: The riskiest fraction of comparators that, with an absolute threshold, gives "higher risk".
    riskiest_quartile: float = 0.25
    #: For relative-only rules: the riskiest fraction giving "higher risk" (the quartile gives
    #: "some risk"). Service-pressure flags use it too: "far beyond comparators".
    relative_only_higher: float = 0.10
    #: Fewer comparators with a value than this: "not enough data".
    min_comparators: int = 5
    #: How far back (in years) a change or a rate of use looks.
    window_years: int = 3
    #: The longer look back of the 5-year changes.
    long_window_years: int = 5
    indicators: tuple[RiskIndicator, ...] = field(default=INDICATORS)

    def indicator(self, indicator_id: str) -> RiskIndicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)


DEFAULT_SETTINGS = RiskSettings()


# ------------------------------------------------------------------------------------------------
# Series with gaps
# ------------------------------------------------------------------------------------------------

def window_base(years: Sequence[int], latest: int, window: int) -> int | None:
    """The earliest year in ``years`` no more than ``window`` years before ``latest`` (and before
    it), or None. With levels for 2015, 2017 and 2018 and a 3-year window, 2018 -> 2015."""
    candidates = [y for y in years if latest - window <= y < latest]
    return min(candidates) if candidates else None


def change_over_window(series: Mapping[int, float | None], latest: int,
                       window: int = 3) -> dict | None:
    """Change between the base year (see :func:`window_base`) and ``latest``.

    Returns ``{"from", "to", "years", "missing", "start", "end", "change", "change_pct",
    "annual_change"}`` or None when either end is missing. ``missing`` lists the years between
    the two ends that have no value (the comparison spans them). ``change_pct`` is None when the
    start is not positive (a percentage of a non-positive base means nothing).
    """
    known = [y for y, v in series.items() if v is not None]
    end = series.get(latest)
    base = window_base(known, latest, window)
    if end is None or base is None:
        return None
    start = series[base]
    if start is None:  # base is a year with a value (window_base picks from known)
        return None
    change = end - start
    return {"from": base, "to": latest, "years": latest - base,
            "missing": missing_years(base + 1, latest - 1, known), "start": start, "end": end,
            "change": change, "change_pct": 100.0 * change / start if start > 0 else None,
            "annual_change": change / (latest - base)}


def years_text(n: int) -> str:
    """'1 year', '3 years'."""
    return f"{n} year" if n == 1 else f"{n} years"


def money_text(thousands: float) -> str:
    """£ thousands as words write them: '£4.4m', '−£10.9m' (a minus sign), '£850k'."""
    size = abs(thousands)
    text = f"£{size / 1000:,.1f}m" if size >= 1000 else f"£{size:,.0f}k"
    return ("\u2212" if thousands < 0 else "") + text


def _sign_word(value: float) -> str:
    return "negative" if value < 0 else "zero"


def nonpositive_base_reason(subject: str, value: float, of: str = "a percentage of it") -> str:
    """Why a percentage of a net figure (£ thousand) at or below zero means nothing: 'net revenue
    expenditure in 2017-18 is negative (−£2.8m), so a percentage of it is not meaningful'."""
    return (f"{subject} is {_sign_word(value)} ({money_text(value)}), so {of} is not "
            "meaningful")


def net_change_reason(what: str, start: float, end: float, start_label: str, end_label: str,
                      detail: str = "") -> str | None:
    """Why a percentage change of a NET figure (£ thousand) means nothing, or None when both ends
    are above zero. A net figure at or below zero means income netted against the spending
    exceeded its cost: a change across zero (or from or to it) is a change in that income as
    much as in spending, and says nothing about cuts. ``detail`` (which lines are below zero)
    is added in brackets."""
    if start > 0 and end > 0:
        return None
    return (f"{what} went from {money_text(start)} in {start_label} to {money_text(end)} in "
            f"{end_label}{f' ({detail})' if detail else ''}; a net figure at or below zero "
            "means income netted against these services (fees, charges, commercial or property "
            "income) exceeded their cost, so a percentage change is not meaningful and is not "
            "read as a cut")


def sustainability_years(level: float | None, annual_change: float | None) -> float | None:
    """Years until ``level`` is used up at ``annual_change`` a year.

    ``math.inf`` when reserves are not falling (change >= 0); 0 when nothing is left; None when
    either input is missing.
    """
    if level is None or annual_change is None:
        return None
    if annual_change >= 0:
        return math.inf
    return max(level, 0.0) / -annual_change


def missing_years(first: int, last: int, known: Sequence[int]) -> list[int]:
    """Years between ``first`` and ``last`` (inclusive) that are not in ``known``."""
    have = set(known)
    return [y for y in range(first, last + 1) if y not in have]


# ------------------------------------------------------------------------------------------------
# Position among comparators
# ------------------------------------------------------------------------------------------------

def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` by linear interpolation between order statistics
    (Hyndman and Fan type 7, R's default). ``math.inf`` may appear (a 'not falling' rate);
    an interpolation that touches it is inf unless its weight is 0. None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    h = (len(xs) - 1) * q
    lo, frac = math.floor(h), h - math.floor(h)
    if frac == 0:
        return xs[lo]
    a, b = xs[lo], xs[lo + 1]
    if math.isinf(a) or math.isinf(b):
        return b if math.isinf(b) else a
    return a + (b - a) * frac


def percentile(value: float, values: Sequence[float]) -> float:
    """Mid-rank percentile of ``value`` among ``values`` (0-100): the share below it plus half
    the share equal to it. ``values`` includes the council itself."""
    below = sum(1 for v in values if v < value)
    equal = sum(1 for v in values if v == value)
    return 100.0 * (below + 0.5 * equal) / len(values)


def risk_percentile(pct: float, polarity: str) -> float:
    """The percentile turned so that 100 is the riskiest end."""
    return 100.0 - pct if polarity == LOWER_RISKIER else pct


def risk_band(indicator: RiskIndicator, value: float | None, comparator_values: Sequence[float],
              settings: RiskSettings = DEFAULT_SETTINGS) -> dict:
    """The band of one value among its comparators' values (which include it).

    With an absolute threshold: "higher risk" when the value is in the riskiest quartile AND
    beyond the threshold; "some risk" when only one holds; otherwise "lower risk". A
    relative-only rule: "higher risk" in the riskiest ``relative_only_higher`` share, "some
    risk" in the riskiest quartile. "not enough data" without a value or with fewer than
    ``min_comparators`` comparators with values.
    """
    n = len(comparator_values)
    if value is None:
        return {"band": NO_DATA, "reason": "no value for this council", "n": n}
    if n < settings.min_comparators:
        return {"band": NO_DATA, "n": n, "reason": f"only {n} comparator(s) with a value; "
                f"at least {settings.min_comparators} are needed"}
    pct = percentile(value, comparator_values)
    riskiness = risk_percentile(pct, indicator.polarity)
    in_quartile = riskiness >= 100 * (1 - settings.riskiest_quartile)
    beyond = indicator.beyond_threshold(value)
    if beyond is None:
        band = (HIGHER if riskiness >= 100 * (1 - settings.relative_only_higher)
                else SOME if in_quartile else LOWER)
    else:
        band = HIGHER if in_quartile and beyond else SOME if in_quartile or beyond else LOWER
    return {"band": band, "n": n, "percentile": pct, "risk_percentile": riskiness,
            "in_riskiest_quartile": in_quartile, "beyond_threshold": beyond,
            "median": quantile(comparator_values, 0.5),
            "lower_quartile": quantile(comparator_values, 0.25),
            "upper_quartile": quantile(comparator_values, 0.75)}


def position_phrase(polarity: str, pct: float, n: int, group: str) -> str:
    """'lowest 10% of 36 metropolitan districts' (the side that matters for risk)."""
    side = "lowest" if polarity == LOWER_RISKIER else "highest"
    share = pct if polarity == LOWER_RISKIER else 100.0 - pct
    for cut in (5, 10, 25, 50):
        if share <= cut:
            return f"{side} {cut}% of {n} {group}"
    other = "highest" if side == "lowest" else "lowest"
    cut = next(c for c in (5, 10, 25, 50) if 100.0 - share <= c)
    return f"{other} {cut}% of {n} {group}"


# ------------------------------------------------------------------------------------------------
# Trend
# ------------------------------------------------------------------------------------------------

def fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def gap_phrase(missing: Sequence[int], label=fy_label) -> str:
    """'2015-16, 2016-17 not in the data' ('' when nothing is missing)."""
    return f"{', '.join(label(y) for y in missing)} not in the data" if missing else ""


def latest_step(series: Mapping[int, float | None], label=fy_label) -> dict | None:
    """The last two years with a value, and the years between them without one: what a "fell
    to" or "rose to" compares. None with fewer than two values."""
    years = sorted(y for y, v in series.items() if v is not None)
    if len(years) < 2:
        return None
    a, b = years[-2], years[-1]
    missing = missing_years(a + 1, b - 1, years)
    gap = gap_phrase(missing, label)
    return {"from": label(a), "to": label(b), "missing": [label(y) for y in missing],
            "text": f"{label(a)} to {label(b)}" + (f" ({gap})" if gap else "")}


def trend_phrase(series: Mapping[int, float | None], label=fy_label) -> dict:
    """The direction of the latest unbroken run of rises or falls over the available years.

    ``series`` maps a year to a value; years absent from it are gaps in the data and are named,
    never filled. Returns ``{"direction", "since", "text", "years"}`` with direction "falling",
    "rising" or "no consistent direction" (or "not enough data" with fewer than 2 values).
    """
    known = {y: v for y, v in series.items() if v is not None}
    years = sorted(known)
    if len(years) < 2:
        return {"direction": NO_DATA, "since": None, "years": years,
                "text": "not enough years of data for a trend"}
    steps = [known[b] - known[a] for a, b in itertools.pairwise(years)]
    sign = 1 if steps[-1] > 0 else -1 if steps[-1] < 0 else 0
    run = 0
    for s in reversed(steps):
        if sign and (s > 0) - (s < 0) == sign:
            run += 1
        else:
            break
    first, last = years[-run - 1] if run else years[0], years[-1]
    gaps = missing_years(first, last, years)
    gap_text = f" ({gap_phrase(gaps, label)})" if gaps else ""
    if not run:
        return {"direction": "no consistent direction", "since": None, "years": years,
                "text": f"no change in the latest year ({label(years[-2])} to "
                        f"{label(years[-1])})"}
    direction = "rising" if sign > 0 else "falling"
    if run == 1:
        step = f"{label(first)} to {label(last)}{gap_text}"
        text = (f"{'up' if sign > 0 else 'down'} in the latest step ({step}), after moving the "
                "other way or not at all before" if len(steps) > 1
                else f"{direction} from {step}")
        return {"direction": direction, "since": first, "years": years, "text": text}
    return {"direction": direction, "since": first, "years": years,
            "text": f"{direction} each available year since {label(first)}{gap_text}"}
