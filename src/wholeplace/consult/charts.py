"""Server-rendered charts for the results dashboard (report.scene shapes, so they render as SVG
with a title and description; each sits beside a table with the same numbers)."""

from __future__ import annotations

from typing import Any

from wholeplace.report import scene as s
from wholeplace.report.charts import count_bars


def pounds(p: int) -> str:
    sign = "\u2212" if p < 0 else "+" if p > 0 else ""
    whole, pennies = divmod(abs(p), 100)
    return f"{sign}£{whole:,}" + (f".{pennies:02d}" if pennies else "")


def bin_label(b: dict[str, Any]) -> str:
    if b["low_pence"] == b["high_pence"]:
        return pounds(b["low_pence"])
    return f"{pounds(b['low_pence'])} to {pounds(b['high_pence'])}"


def histogram(line: dict[str, Any], chart_id: str, width: float = 640,
              height: float = 240) -> s.Scene:
    """One bar per bin of a line's proposed changes, the count on each bar; the bar holding no
    change is drawn darker so the centre is visible without colour alone (it is labelled)."""
    bins = line["histogram"]
    described = "; ".join(f"{bin_label(b)}: {b['count']}" for b in bins if b["count"])
    total = sum(b["count"] for b in bins)
    sc = s.Scene(chart_id, width, height, f"Proposed changes to {line['title']}",
                 f"Bar chart of {total} responses by the change proposed to {line['title']}, "
                 f"from {bin_label(bins[0])} to {bin_label(bins[-1])}. "
                 f"{described or 'No responses yet'}.")
    left, right, top, bottom = 40, width - 8, 20, height - 48
    count_bars(sc, [b["count"] for b in bins],
               [s.DARK_BLUE if b["low_pence"] <= 0 <= b["high_pence"] else s.BLUE for b in bins],
               (left, right, top, bottom))
    sc.add(s.Line(left, bottom, right, bottom, s.GREY),
           s.Text(left, bottom + 16, pounds(bins[0]["low_pence"]), 11, fill=s.GREY),
           s.Text(right, bottom + 16, pounds(bins[-1]["high_pence"]), 11, "end", fill=s.GREY),
           s.Text((left + right) / 2, bottom + 16, "no change (dark bar)", 11, "middle",
                  fill=s.GREY),
           s.Text(left, bottom + 36, "Change proposed in a year", 12))
    return sc


def line_charts(data: dict[str, Any]) -> dict[str, str]:
    """line id -> SVG of its histogram."""
    return {x["id"]: s.to_svg(histogram(x, f"hist-{x['id']}")) for x in data["lines"]}
