"""Plain-English sentences built from the statistics of a place profile. Pure: dicts in, text out.

The wording follows the verdicts exactly (see :mod:`wholeplace.insight.banding`):

* a **significance** verdict (the value has a confidence interval that excludes, or not, the
  benchmark) says "significantly better/worse/higher/lower than" or "similar to";
* a **position** verdict (no interval: only where the value sits among the other councils' values)
  says "in the highest quarter of", "in the lowest quarter of" or "in the middle half of", and
  never "significantly";
* a trend is stated only when the trend test found one ("a rising trend since 2016-17"); "no
  clear trend" when it found none; and "too few years to test for a trend" when there was no
  test.

Missing stays missing: a missing value gives "not available" with the reason, never 0.
Numbers are written in their unit by :func:`format_number`.
"""

from __future__ import annotations

import math

NOT_AVAILABLE = "not available"

#: Verdict code -> the words before the comparator group.
COMPARISON_WORDS = {
    "better": "significantly better than",
    "worse": "significantly worse than",
    "higher": "significantly higher than",
    "lower": "significantly lower than",
    "similar": "similar to",
    "above_upper_quartile": "in the highest quarter of",
    "below_lower_quartile": "in the lowest quarter of",
    "middle_half": "in the middle half of",
}
SIGNIFICANCE = ("better", "worse", "higher", "lower", "similar")
POSITION = ("above_upper_quartile", "below_lower_quartile", "middle_half")

#: Trend-test direction -> words (only what the test found).
TREND_WORDS = {
    "increasing": "a rising trend since {first}",
    "decreasing": "a falling trend since {first}",
    "no significant trend": "no clear trend since {first}",
}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sig3(value: float) -> str:
    """Three significant figures, with separators, and no trailing zeros beyond them."""
    if value == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _money(pounds: float) -> str:
    sign = "-" if pounds < 0 else ""
    pounds = abs(pounds)
    if pounds >= 1e9:
        return f"{sign}£{pounds / 1e9:,.1f} billion"
    if pounds >= 1e6:
        return f"{sign}£{pounds / 1e6:,.1f} million"
    return f"{sign}£{pounds:,.0f}"


def format_number(value: float | None, unit: str | None) -> str:
    """A value as a sentence writes it, in its unit ("19.2", "6%", "£612 per head")."""
    if _missing(value):
        return NOT_AVAILABLE
    if unit == "percent":
        return f"{value:,.1f}".removesuffix(".0") + "%"
    if unit == "proportion":
        return f"{100 * value:,.1f}".removesuffix(".0") + "%"
    if unit == "percentage points":
        return f"{value:+,.1f} percentage points"
    if unit in ("persons", "count"):
        return f"{value:,.0f}" + (" people" if unit == "persons" else "")
    if unit == "gbp_thousands":
        return _money(1000 * value)
    if unit == "gbp":
        return _money(value)
    if unit == "gbp_per_head":
        return f"£{value:,.0f} per head" if value >= 0 else f"-£{-value:,.0f} per head"
    if unit == "years":
        return f"{value:,.1f} years"
    if unit in ("rate_per_1000", "rate_per_100000"):
        return f"{_sig3(value)} per {'1,000' if unit == 'rate_per_1000' else '100,000'}"
    return _sig3(value)


def comparison_phrase(verdict: str | None, whom: str, unit: str | None,
                      median: float | None = None, benchmark: float | None = None,
                      reason: str | None = None) -> str:
    """How the value compares with ``whom``, in the words its verdict allows.

    A significance verdict names the benchmark it was tested against; a position verdict names
    the median of the others. "not enough data"/"not available" say why.
    """
    if verdict in SIGNIFICANCE:
        shown = f" (benchmark {format_number(benchmark, unit)})" if not _missing(benchmark) else ""
        return f"{COMPARISON_WORDS[verdict]} {whom}{shown}"
    if verdict in POSITION:
        shown = f" (median {format_number(median, unit)})" if not _missing(median) else ""
        return f"{COMPARISON_WORDS[verdict]} {whom}{shown}"
    why = f" ({reason})" if reason else ""
    if verdict == "not_enough_data":
        return f"not compared with {whom}{why}"
    return f"no comparison with {whom}{why}"


def trend_phrase(direction: str | None, first: str | None, reason: str | None = None) -> str:
    """What the trend test found, and nothing more."""
    if direction in TREND_WORDS and first:
        return TREND_WORDS[direction].format(first=first)
    return "too few years to test for a trend" + (f" ({reason})" if reason else "")


def outcome_sentence(item: dict, whom: str) -> str:
    """One indicator: value, period, comparison with ``whom`` and trend, in one sentence.

    ``item`` has ``title``, ``unit``, ``period``, ``value``, ``verdict`` (a banding code),
    optional ``median``, ``benchmark``, ``reason``, and ``trend`` (``direction``, ``first``,
    ``reason``).
    """
    title, unit = item["title"], item.get("unit")
    if _missing(item.get("value")):
        why = item.get("reason") or "no value is published"
        period = f" for {item['period']}" if item.get("period") else ""
        return f"{title}: {NOT_AVAILABLE}{period} ({why})."
    compared = comparison_phrase(item.get("verdict"), whom, unit, item.get("median"),
                                 item.get("benchmark"), item.get("band_reason"))
    trend = item.get("trend") or {}
    trended = trend_phrase(trend.get("direction"), trend.get("first"), trend.get("reason"))
    return (f"{title}: {format_number(item['value'], unit)} in {item['period']}, "
            f"{compared}, {trended}.")


def quarter_of(percentile: float | None) -> str | None:
    """The quarter a mid-rank percentile (0-100) lies in, as a position verdict code."""
    if percentile is None:
        return None
    if percentile < 25:
        return "below_lower_quartile"
    if percentile > 75:
        return "above_upper_quartile"
    return "middle_half"


_FLAG_VERBS = {"falling": "fell to", "rising": "rose to"}


def flag_sentence(flag: dict, period: str) -> str:
    """An early-warning flag: "Usable reserves ... fell to 6% in 2017-18, in the lowest quarter
    of 36 metropolitan districts (median 12%): higher risk."

    The verb says what the published values did in the latest step ("fell to"/"rose to", from
    the flag's own trend when it is the trend of the value itself), else "was"; the position is the quarter of the
    flag's percentile among its comparators (a position, never "significantly").
    """
    unit = flag.get("unit")
    if flag.get("band") == "not applicable":
        return f"{flag['title']}: not applicable ({flag.get('explanation', '')})".rstrip() + "."
    if _missing(flag.get("value")):
        why = flag.get("comparator_position") or "no value for this council"
        return f"{flag['title']}: {NOT_AVAILABLE} for {period} ({why})."
    comparators = flag.get("comparators") or {}
    own_trend = str(flag.get("trend") or "").startswith("the value")
    verb = _FLAG_VERBS.get(flag.get("trend_direction") or "", "was") if own_trend else "was"
    where = quarter_of(comparators.get("percentile"))
    whom = f"{comparators.get('n')} {comparators.get('label')}"
    compared = (comparison_phrase(where, whom, unit, comparators.get("median"))
                if where else "not placed among comparators")
    return (f"{flag['title']} {verb} {format_number(flag['value'], unit)} in {period}, "
            f"{compared}: {flag['band']}.")


def deciles_sentence(name: str, deciles: list[dict], total: int) -> str | None:
    """How many of the area's neighbourhoods are in England's most and least deprived tenths."""
    if not total:
        return None
    by = {d["decile"]: d["count"] for d in deciles}
    most, least = by.get(1, 0), by.get(10, 0)
    return (f"{most:,} of {name}'s {total:,} neighbourhoods (LSOAs, {most / total:.0%}) are among "
            f"the 10% most deprived in England, and {least:,} ({least / total:.0%}) among the "
            "10% least deprived (IoD2019).")


def population_sentence(name: str, population: dict) -> str | None:
    """Residents and the share aged 65 and over, with the year of the estimate."""
    total = population.get("all_ages")
    if _missing(total):
        return None
    text = f"{name} has {format_number(total, 'count')} residents ({population['period']})"
    old = population.get("share_65_plus")
    if not _missing(old):
        text += f", {format_number(old, 'percent')} of them aged 65 and over"
    return text + "."


def spend_sentence(name: str, spend: dict) -> str | None:
    """The whole-place spend per head of an area, counting every tier that serves it."""
    totals = {t["id"]: t for t in spend.get("totals", [])}
    row = totals.get("total_excluding_police_fire") or totals.get("rs.nce.total_service")
    if row is None:
        return None
    tiers = [t["name"] for t in spend.get("tiers", []) if t.get("status") == "reported"]
    whole = row.get("total_per_head")
    if _missing(whole):
        known = row.get("known_per_head")
        if _missing(known):
            return None
        return (f"{row['label']} per resident of {name} in {spend['period']}, known part: "
                f"{format_number(known, 'gbp_per_head')}, not counting "
                f"{', '.join(row.get('lacks') or [])} (their figures are not available).")
    return (f"{row['label']} per resident of {name} in {spend['period']}, counting every tier "
            f"that serves it ({', '.join(tiers)}): {format_number(whole, 'gbp_per_head')}.")
