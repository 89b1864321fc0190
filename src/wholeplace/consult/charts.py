"""Server-rendered charts for the results dashboard (report.scene shapes, so they render as SVG
with a title and description; each sits beside a table with the same numbers)."""

from __future__ import annotations

from typing import Any

from wholeplace.report import scene as s


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
    peak = max((b["count"] for b in bins), default=0) or 1
    slot = (right - left) / len(bins)
    for t in s.nice_ticks(0, peak, 4):
        if t <= peak:
            ty = bottom - t / peak * (bottom - top)
            sc.add(s.Line(left, ty, right, ty, s.LIGHT_GREY),
                   s.Text(left - 6, ty + 4, f"{t:,.0f}", 11, "end", fill=s.GREY))
    for i, b in enumerate(bins):
        h = b["count"] / peak * (bottom - top)
        x = left + i * slot + slot * 0.1
        zero = b["low_pence"] <= 0 <= b["high_pence"]
        if b["count"]:
            sc.add(s.Rect(x, bottom - h, slot * 0.8, h, s.DARK_BLUE if zero else s.BLUE))
            sc.add(s.Text(x + slot * 0.4, bottom - h - 4, f"{b['count']:,}", 11, "middle"))
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
