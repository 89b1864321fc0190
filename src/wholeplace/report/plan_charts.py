"""A plan's charts as scenes (:mod:`wholeplace.report.scene`): the funding gap per year for each
scenario (grouped bars, each scenario its own colour AND pattern of label) and a tornado chart of
a prevention model's one-at-a-time sensitivities. Pure: results in, scenes out. Every scene has a
title and a description; the page puts the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wholeplace.insight.profile.sentences import MINUS
from wholeplace.report import scene as s
from wholeplace.report.scene import Scene

#: Scenario colours, in order (a scenario is also named in the legend, never colour alone).
COLOURS = (s.BLUE, s.ORANGE, s.GREEN, s.PURPLE, s.DARK_BLUE, s.RED)


def money(value: float, unit: str = "£k") -> str:
    """A compact signed amount ("£1,234k", "−£56k")."""
    text = f"£{abs(value):,.0f}{unit[1:]}"
    return (MINUS + text) if value < 0 else text


def _range(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(0.0, *values), max(0.0, *values)
    return (lo, hi if hi > lo else lo + 1)


def funding_gap_chart(years: Sequence[str], gaps: Mapping[str, Sequence[float]],
                      titles: Mapping[str, str], chart_id: str = "funding-gap",
                      width: float = 640, height: float = 300) -> Scene:
    """Grouped bars: for each year, each scenario's total funding gap (£ thousand)."""
    return _grouped_bars(
        years, gaps, titles, chart_id, width, height,
        "Funding gap per year, by scenario (£ thousand)",
        f"Bar chart of the total funding gap (spend less income) of every partner, "
        f"{len(years)} years, {len(gaps)} scenarios.")


def difference_chart(years: Sequence[str], differences: Mapping[str, Sequence[float]],
                     titles: Mapping[str, str], base_title: str,
                     chart_id: str = "scenario-difference", width: float = 640,
                     height: float = 300) -> Scene:
    """Grouped bars: for each year, how much each scenario's funding gap differs from the
    base scenario's (£ thousand; above the line a larger gap, below it a smaller one). The
    colours follow :func:`funding_gap_chart`'s, the base scenario's colour left out."""
    return _grouped_bars(
        years, differences, titles, chart_id, width, height,
        f"Difference from {base_title} in the funding gap per year (£ thousand)",
        f"Bar chart of each scenario's funding gap less that of {base_title}, all partners, "
        f"{len(years)} years, {len(differences)} scenarios; above zero the gap is larger.",
        first_colour=1)


def _grouped_bars(years: Sequence[str], series_by_key: Mapping[str, Sequence[float]],
                  titles: Mapping[str, str], chart_id: str, width: float, height: float,
                  title: str, description: str, first_colour: int = 0) -> Scene:
    gaps = series_by_key
    everything = [v for series in gaps.values() for v in series]
    described = "; ".join(
        f"{titles[k]}: " + ", ".join(f"{y} {money(v)}" for y, v in zip(years, series))
        for k, series in gaps.items())
    sc = Scene(chart_id, width, height, title, f"{description} {described}.")
    if not everything:
        sc.add(s.Text(width / 2, height / 2, "No figures", 13, "middle"))
        return sc
    left, right, top, bottom = 70, width - 10, 14, height - 70
    lo, hi = _range(everything)

    def y_of(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    for t in s.nice_ticks(lo, hi, 5):
        if lo <= t <= hi:
            sc.add(s.Line(left, y_of(t), right, y_of(t), s.LIGHT_GREY, 1),
                   s.Text(left - 6, y_of(t) + 4, money(t), 11, "end", fill=s.GREY))
    group = (right - left) / max(len(years), 1)
    bar = group * 0.8 / max(len(gaps), 1)
    for j, series in enumerate(gaps.values()):
        colour = COLOURS[(j + first_colour) % len(COLOURS)]
        for i, v in enumerate(series):
            x = left + i * group + group * 0.1 + j * bar
            y0, y1 = sorted((y_of(0.0), y_of(v)))
            sc.add(s.Rect(x, y0, bar * 0.9, max(y1 - y0, 0.5), colour))
    sc.add(s.Line(left, y_of(0.0), right, y_of(0.0), s.BLACK, 1))
    for i, y in enumerate(years):
        sc.add(s.Text(left + (i + 0.5) * group, bottom + 16, y, 11, "middle", fill=s.GREY))
    for j, key in enumerate(gaps):
        ly = bottom + 34 + 16 * (j // 2)
        lx = left + (j % 2) * (right - left) / 2
        sc.add(s.Rect(lx, ly - 10, 12, 12, COLOURS[(j + first_colour) % len(COLOURS)]),
               s.Text(lx + 18, ly, titles[key], 12))
    return sc


def tornado_chart(rows: Sequence[Mapping[str, Any]], centre: float, view: str = "fiscal",
                  chart_id: str = "tornado", width: float = 640) -> Scene:
    """One bar per parameter from its NPV at the low to its NPV at the high value (£), widest
    swing on top; the central NPV as a vertical line."""
    height = 60 + 28 * max(len(rows), 1)
    described = "; ".join(f"{r['parameter']}: {money(r['npv_at_low'], '£')} at low, "
                          f"{money(r['npv_at_high'], '£')} at high" for r in rows)
    sc = Scene(chart_id, width, height, f"Sensitivity of the {view} net present value (£)",
               f"Tornado chart: each parameter at its low and high value, the others central; "
               f"central NPV {money(centre, '£')}. {described}.")
    if not rows:
        sc.add(s.Text(width / 2, height / 2, "No ranged parameters", 13, "middle"))
        return sc
    left, right, top = 200, width - 20, 20
    values = [float(centre)] + [float(v) for r in rows
                                for v in (r["npv_at_low"], r["npv_at_high"])]
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1

    def x_of(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    for i, r in enumerate(rows):
        y = top + i * 28
        a, b = r["npv_at_low"], r["npv_at_high"]
        sc.add(s.Text(left - 8, y + 15, str(r["parameter"]), 12, "end"))
        sc.add(s.Rect(min(x_of(a), x_of(b)), y + 4, max(abs(x_of(b) - x_of(a)), 1), 16,
                      s.BLUE))
    bottom = top + 28 * len(rows)
    sc.add(s.Line(x_of(centre), top, x_of(centre), bottom, s.BLACK, 2))
    for t in s.nice_ticks(lo, hi, 4):
        if lo <= t <= hi:
            sc.add(s.Text(x_of(t), bottom + 18, money(t, "£"), 11, "middle", fill=s.GREY))
    sc.add(s.Text(x_of(centre), bottom + 36, f"central {money(centre, '£')}", 11, "middle"))
    return sc
