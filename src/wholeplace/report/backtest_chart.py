"""The early-warning backtest as a scene (:mod:`wholeplace.report.scene`): for each year, how much
more (or less) the flagged councils' usable reserves moved over the next two years than the other
councils', with its 95% interval. Pure: the backtest's rows in, a scene out.

Above the zero line the flagged councils' reserves did better than the others'; below it, worse
(what a warning would foretell). The difference of the means is a circle on its interval (filled
when the interval excludes zero, hollow when it includes it: the shape of the fill, not only its
colour, says so); the difference of the medians, which a few councils with very large reserves
cannot sway, is a diamond. A year whose outcome is not yet published is labelled as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wholeplace.insight.profile.sentences import MINUS
from wholeplace.report import scene as s
from wholeplace.report.scene import Scene


def points(value: float) -> str:
    """A signed difference in percentage points ("+4.5", "−22.1")."""
    text = f"{abs(value):,.1f}"
    return (MINUS if value < 0 else "+") + text if round(value, 1) else "0.0"


def _tick(value: float) -> str:
    if not value:
        return "0"
    text = f"{abs(value):,.0f}" if float(value).is_integer() else f"{abs(value):,.1f}"
    return (MINUS if value < 0 else "+") + text


def median_difference(row: dict) -> float | None:
    a, b = row.get("flagged_median"), row.get("not_flagged_median")
    return a - b if a is not None and b is not None else None


def excludes_zero(row: dict) -> bool:
    lo, hi = row.get("ci_low"), row.get("ci_high")
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def _describe(rows: Sequence[dict]) -> str:
    parts = []
    for r in rows:
        if r.get("status") != "compared" or r.get("difference") is None:
            parts.append(f"{r['year']}: {r.get('status', 'not compared')}")
            continue
        ci = (f", 95% interval {points(r['ci_low'])} to {points(r['ci_high'])}"
              if r.get("ci_low") is not None else ", no interval")
        med = median_difference(r)
        parts.append(f"{r['year']}: means {points(r['difference'])}{ci}"
                     + (f"; medians {points(med)}" if med is not None else ""))
    return "; ".join(parts)


def backtest_chart(rows: Sequence[dict[str, Any]], chart_id: str = "backtest",
                   width: float = 760, height: float = 380) -> Scene:
    """The difference (flagged minus not flagged, percentage points of NRE) for each year."""
    sc = Scene(chart_id, width, height,
               "Flagged councils' usable reserves over the next two years, against the rest",
               "For each year, the change in usable reserves as % of net revenue expenditure of "
               "councils with at least two higher-risk flags minus that of the other councils, "
               "in percentage points, with the 95% interval of the difference of the means; "
               "below zero the flagged councils' reserves fell more. "
               + _describe(rows) + ".")
    compared = [r for r in rows if r.get("status") == "compared"
                and r.get("difference") is not None]
    if not rows or not compared:
        sc.add(s.Text(width / 2, height / 2, "No year can be compared yet", 13, "middle"))
        return sc
    values = [0.0]
    for r in compared:
        values += [v for v in (r["difference"], r.get("ci_low"), r.get("ci_high"),
                               median_difference(r)) if v is not None]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    left, right, top, bottom = 64, width - 14, 40, height - 78

    def y_of(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    for t in s.nice_ticks(lo, hi, 6):
        if lo <= t <= hi:
            sc.add(s.Line(left, y_of(t), right, y_of(t), s.LIGHT_GREY, 1),
                   s.Text(left - 6, y_of(t) + 4, _tick(t), 11, "end", fill=s.GREY))
    sc.add(s.Line(left, y_of(0.0), right, y_of(0.0), s.BLACK, 1.5))
    sc.add(s.Text(4, 12, "Difference, flagged minus not flagged (percentage points of net "
                  "revenue expenditure)", 12, bold=True),
           s.Text(left + 4, top - 6, "Above the line: flagged councils' reserves did better "
                  "than the rest", 12, fill=s.GREY),
           s.Text(left + 4, bottom + 50, "Below the line: flagged councils' reserves fell more "
                  "(what a warning would foretell)", 12, fill=s.GREY))
    step = (right - left) / len(rows)
    for i, r in enumerate(rows):
        x = left + (i + 0.5) * step
        sc.add(s.Text(x, bottom + 16, str(r["year"]), 11, "middle", fill=s.GREY))
        if r not in compared:
            sc.add(s.Text(x, y_of(0.0) - 8, "not yet", 10, "middle", fill=s.GREY),
                   s.Text(x, y_of(0.0) + 16, "published", 10, "middle", fill=s.GREY))
            continue
        if r.get("ci_low") is not None and r.get("ci_high") is not None:
            y0, y1 = y_of(r["ci_low"]), y_of(r["ci_high"])
            sc.add(s.Line(x, y0, x, y1, s.BLUE, 2), s.Line(x - 5, y0, x + 5, y0, s.BLUE, 2),
                   s.Line(x - 5, y1, x + 5, y1, s.BLUE, 2))
        solid = excludes_zero(r)
        sc.add(s.Circle(x, y_of(r["difference"]), 5.5, s.BLUE if solid else s.WHITE, s.BLUE, 2))
        med = median_difference(r)
        if med is not None:
            sc.add(s.Marker("diamond", x + 11, y_of(med), 4.5, s.ORANGE, s.BLACK, 1))
    ly = height - 8
    sc.add(s.Circle(left + 6, ly - 4, 5, s.WHITE, s.BLUE, 2),
           s.Text(left + 16, ly, "difference of means, interval includes 0", 12),
           s.Circle(left + 290, ly - 4, 5, s.BLUE, s.BLUE, 2),
           s.Text(left + 300, ly, "excludes 0", 12),
           s.Marker("diamond", left + 390, ly - 4, 4.5, s.ORANGE, s.BLACK, 1),
           s.Text(left + 400, ly, "difference of medians", 12))
    return sc
