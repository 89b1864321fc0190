"""Plain-English sentences built from the statistics of a place profile. Pure: dicts in, text out.

The wording follows the verdicts exactly (see :mod:`wholeplace.insight.comparison.banding`):

* a **significance** verdict (the value has a confidence interval that excludes, or not, the
  benchmark) says "significantly better/worse/higher/lower than" or "similar to";
* a **position** verdict (no interval: only where the value sits among the other councils' values)
  says "in the highest quarter of", "in the lowest quarter of" or "in the middle half of", and
  never "significantly";
* a trend is stated only when the trend test found one ("a rising trend since 2016-17"); "no
  clear trend" when it found none; and "too few years to test for a trend" when there was no
  test.

Missing stays missing: a missing value gives "not available" with the reason, never 0.
Numbers are written in their unit by :func:`format_number`, the one number formatter of every
output (sentences, page tables, charts, PDF): a minus sign before the pound sign ("−£43 per
head"), shares as percentages ("18.6%", whether stored as a percent or a proportion).
"""

from __future__ import annotations

import math

from wholeplace.hub.units import UNITS

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
    # Mann-Kendall with so few values that no ordering could be significant (trends.py).
    "too few values to detect a trend": "too few years since {first} to detect a trend at the "
                                        "5% level",
}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


MINUS = "\u2212"  # the minus sign, as GOV.UK content writes negative numbers
#: Units written as a bare number (no unit words after it).
BARE_UNITS = ("count", "score", "ratio", "rank", "decile", None, "")
#: Words after a number of these units.
UNIT_WORDS = {"years": "years", "km2": "km²", "persons_per_km2": "people per km²",
              "index": "index", "rate_per_1000": "per 1,000", "rate_per_100000": "per 100,000",
              "rate_per_10000": "per 10,000", "kg_per_household": "kg per household",
              "kg_per_person": "kg per person"}


def _signed(text: str) -> str:
    """A formatted number with the minus sign (U+2212); "-0" (a tiny negative rounded) is "0"."""
    if not text.startswith("-"):
        return text
    return text[1:] if not any(c in "123456789" for c in text) else MINUS + text[1:]


def _sig3(value: float) -> str:
    """Three significant figures, with separators, and no trailing zeros beyond them."""
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{digits}f}"
    return _signed(text.rstrip("0").rstrip(".") if "." in text else text)


def _percent(value: float) -> str:
    return _signed(f"{value:,.1f}".removesuffix(".0")) + "%"


def _money(pounds: float, per_head: bool = False) -> str:
    """"£612", "−£43", "£12.3 million", "£1.2 billion" (the sign before the pound sign)."""
    size = abs(pounds)
    if size >= 1e9 and not per_head:
        text = f"£{size / 1e9:,.1f} billion"
    elif size >= 1e6 and not per_head:
        text = f"£{size / 1e6:,.1f} million"
    else:
        text = f"£{size:,.0f}"
    negative = pounds < 0 and text not in ("£0", "£0.0 million", "£0.0 billion")
    return (MINUS if negative else "") + text + (" per head" if per_head else "")


def format_number(value: float | None, unit: str | None,
                  missing: str = NOT_AVAILABLE) -> str:
    """A value as a person reads it, in its unit ("19.2", "6%", "£612 per head", "−£43 per
    head", "£12.3 million"); a missing value is ``missing``, never 0. The one formatter of every
    output: :func:`wholeplace.web.render.format_value` is this with "Not available"."""
    if value is None or _missing(value):
        return missing
    grade = UNITS[unit].label_of(value) if unit in UNITS and UNITS[unit].ordinal else None
    if grade is not None:
        return grade  # an ordinal grade is shown as its word (Ofsted: "Good"), never a number
    if unit == "percent":
        return _percent(value)
    if unit == "proportion":
        return _percent(100 * value)
    if unit in ("percentage points", "percentage_points"):
        sign = "+" if value > 0 and f"{value:.1f}" != "0.0" else ""
        return f"{sign}{_signed(f'{value:,.1f}')} percentage points"
    if unit in ("persons", "count"):
        words = "" if unit == "count" else " person" if value == 1 else " people"
        return _signed(f"{value:,.0f}") + words
    if unit == "gbp_thousands":
        return _money(1000 * value)
    if unit == "gbp":
        return _money(value)
    if unit == "gbp_per_head":
        return _money(value, per_head=True)
    if unit == "gbp_per_week":
        return _money(value) + " per week"
    if unit in UNIT_WORDS:
        shown = f"{value:,.1f}" if unit == "years" else _sig3(value)
        return f"{_signed(shown)} {UNIT_WORDS[unit]}"
    return _sig3(value)


def and_list(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 neighbourhood", "69 neighbourhoods" (with separators)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


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


def trend_phrase(direction: str | None, first: str | None, reason: str | None = None,
                 basis: str | None = None) -> str:
    """What the trend test found, and nothing more. ``basis`` "cash": the test was of the
    money series in cash (not per head, not real terms), and the words say so."""
    if direction in TREND_WORDS and first:
        words = TREND_WORDS[direction].format(first=first)
        return words.replace(" since ", " in cash terms since ") if basis == "cash" else words
    return "too few years to test for a trend" + (f" ({reason})" if reason else "")


def outcome_sentence(item: dict, whom: str) -> str:
    """One indicator: value, period, comparison with ``whom`` and trend, in one sentence.

    ``item`` has ``title``, ``unit``, ``period``, ``value``, ``verdict`` (a banding code),
    optional ``median``, ``benchmark``, ``reason``, and ``trend`` (``direction``, ``first``,
    ``reason``, ``basis``).
    """
    title, unit = item["title"], item.get("unit")
    if _missing(item.get("value")):
        why = item.get("reason") or "no value is published"
        period = f" for {item['period']}" if item.get("period") else ""
        return f"{title}: {NOT_AVAILABLE}{period} ({why})."
    compared = comparison_phrase(item.get("verdict"), whom, unit, item.get("median"),
                                 item.get("benchmark"), item.get("band_reason"))
    trend = item.get("trend") or {}
    trended = trend_phrase(trend.get("direction"), trend.get("first"), trend.get("reason"),
                           trend.get("basis"))
    return (f"{title}: {format_number(item['value'], unit)} in {item['period']}, "
            f"{compared}, {trended}.")


_FLAG_VERBS = {"falling": "fell to", "rising": "rose to"}
RISK_BANDS = ("higher risk", "some risk")
LOWER_RISKIER = "lower_is_riskier"


def beyond_threshold(flag: dict) -> bool | None:
    """Whether the flag's value is on the risky side of its absolute threshold (None: a
    relative-only rule), from the flag's own ``threshold`` and ``polarity``."""
    limit = (flag.get("threshold") or {}).get("value")
    if limit is None or _missing(flag.get("value")):
        return None
    lower = flag.get("polarity") == LOWER_RISKIER
    return flag["value"] < limit if lower else flag["value"] > limit


def in_riskiest_quarter(flag: dict) -> bool:
    """Whether the flag's band put the value in the riskiest quarter of its comparators, read
    from the band itself (so the words can never disagree with it): with a threshold, "higher
    risk" is the quarter AND the threshold and "some risk" exactly one of them; with a
    relative-only rule both risk bands are in the riskiest quarter."""
    band, beyond = flag.get("band"), beyond_threshold(flag)
    if beyond is None:
        return band in RISK_BANDS
    return band == "higher risk" or (band == "some risk" and not beyond)


def flag_position(flag: dict) -> str | None:
    """The quarter of its comparators the flag's value is in, as a position verdict code: the
    riskiest quarter as the band says (:func:`in_riskiest_quarter`), the least risky quarter
    when its risk percentile is 25 or less, else the middle half."""
    comparators = flag.get("comparators") or {}
    riskiness = comparators.get("risk_percentile")
    if riskiness is None:
        return None
    lower = flag.get("polarity") == LOWER_RISKIER
    if in_riskiest_quarter(flag):
        return "below_lower_quartile" if lower else "above_upper_quartile"
    if riskiness <= 25:
        return "above_upper_quartile" if lower else "below_lower_quartile"
    return "middle_half"


def flag_sentence(flag: dict, period: str) -> str:
    """An early-warning flag: "Usable reserves ... fell to 6% in 2017-18, in the lowest quarter
    of 36 metropolitan districts (median 12%; below the 5% threshold): higher risk."

    The verb says what the published values did in the latest step ("fell to"/"rose to", from
    the flag's own trend when it is the trend of the value itself), else "was"; the position is
    the flag's own (:func:`flag_position`: the band's riskiest quarter, never recomputed with
    another cut-off), a position among comparators, never "significantly"; the threshold is
    named whenever the value is beyond it.
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
    where = flag_position(flag)
    whom = f"{comparators.get('n')} {comparators.get('label')}"
    compared = (comparison_phrase(where, whom, unit, comparators.get("median"))
                if where else "not placed among comparators")
    if beyond_threshold(flag):
        side = "below" if flag.get("polarity") == LOWER_RISKIER else "above"
        words = f"{side} the {format_number(flag['threshold']['value'], unit)} threshold"
        compared = (f"{compared[:-1]}; {words})" if compared.endswith(")")
                    else f"{compared} ({words})")
    return (f"{flag['title']} {verb} {format_number(flag['value'], unit)} in {period}, "
            f"{compared}: {flag['band']}.")


def deciles_sentence(name: str, deciles: list[dict], total: int) -> str | None:
    """How many of the area's neighbourhoods are in England's most and least deprived tenths."""
    if not total:
        return None
    by = {d["decile"]: d["count"] for d in deciles}
    if total == 1:
        only = next((d for d, n in by.items() if n), None)
        if only is None:
            return None
        return (f"{name}'s only neighbourhood (LSOA) is in IMD decile {only} (1 = the 10% most "
                "deprived in England, 10 = the 10% least deprived; IoD2019).")
    most, least = by.get(1, 0), by.get(10, 0)
    return (f"{most:,} of {name}'s {total:,} neighbourhoods (LSOAs, {most / total:.0%}) are "
            f"among the 10% most deprived in England, and {least:,} ({least / total:.0%}) "
            "among the 10% least deprived (IoD2019).")


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
