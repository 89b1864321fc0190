"""The profile's charts as scenes (:mod:`wholeplace.report.scene`): a spine chart of every key
indicator against the comparator group, trend lines with intervals, a funnel plot and a bar chart
of neighbourhood deprivation deciles. Pure: profile data in, scenes out.

Rules: a missing value is never drawn (a trend line leaves a gap; a spine row says "Not
available"), colour is never the only signal (the council's marker is coloured AND shaped by its
band, and the band is written in words), and every scene carries a title and a description.
"""

from __future__ import annotations

from wholeplace.hub.units import is_ordinal
from wholeplace.insight.profile.sentences import MINUS, format_number, plural
from wholeplace.report import scene as s
from wholeplace.report.scene import Scene

#: The council's marker on the spine chart: verdict code -> (shape, words).
UP, DOWN, MIDDLE = "triangle_up", "triangle_down", "circle"
VERDICT_WORDS = {
    "above_upper_quartile": "highest quarter", "below_lower_quartile": "lowest quarter",
    "middle_half": "middle half", "better": "significantly better",
    "worse": "significantly worse", "higher": "significantly higher",
    "lower": "significantly lower", "similar": "similar",
    "not_enough_data": "not enough data", "not_available": "not available",
    "ordinal": "a grade: no verdict",
}
SIDE_COLOURS = {"better": s.GREEN, "worse": s.RED, None: s.BLUE}
UNIT_WORDS = {"percent": "%", "proportion": "proportion", "rate_per_1000": "per 1,000",
              "rate_per_100000": "per 100,000", "gbp_per_head": "£ per head"}


def tick_label(value: float, unit: str | None) -> str:
    """A short axis label ("12%", "£612", "−£43", "0.41"), signed as the sentences are."""
    if unit == "gbp_per_head":
        return format_number(value, unit).removesuffix(" per head")
    text = f"{value:,.4g}" + ("%" if unit == "percent" else "")
    return MINUS + text[1:] if text.startswith("-") else text


def marker_style(verdict: str, side: str | None, value: float | None,
                 benchmark: float | None, polarity: str | None) -> tuple[str, str]:
    """(shape, colour) of the council's marker: the shape says above/below/middle, the colour
    better (green) / worse (red) / neither (blue)."""
    if verdict in ("above_upper_quartile", "higher"):
        shape = UP
    elif verdict in ("below_lower_quartile", "lower"):
        shape = DOWN
    elif verdict in ("better", "worse") and value is not None and benchmark is not None:
        shape = UP if value > benchmark else DOWN
    elif verdict in ("middle_half", "similar"):
        shape = MIDDLE
    else:
        return "diamond", s.MID_GREY
    if verdict in ("better", "worse"):
        side = verdict
    return shape, SIDE_COLOURS.get(side, s.BLUE)


# -- spine chart --------------------------------------------------------------------------------
SPINE_W, LABEL_W, VALUE_X, TRACK_X0, TRACK_X1, WORDS_X = 960, 330, 450, 465, 790, 808
ROW_H, SPINE_TOP = 46, 78


def _legend(sc: Scene, y: float) -> None:
    """Two lines: what the marker's shape means, and what its colour means."""
    x = 0.0
    sc.add(s.Text(x, y, "Shape:", 12, bold=True))
    x += 50
    for shape, words in ((UP, "highest quarter or significantly higher"),
                         (MIDDLE, "middle half or similar"),
                         (DOWN, "lowest quarter or significantly lower"),
                         ("diamond", "not compared")):
        sc.add(s.Marker(shape, x + 6, y - 4, 6, s.WHITE), s.Text(x + 16, y, words, 12))
        x += 34 + s.text_width(words, 12)
    y2, x = y + 20, 0.0
    sc.add(s.Text(x, y2, "Colour:", 12, bold=True))
    x += 50
    for colour, words in ((s.GREEN, "better side"), (s.RED, "worse side"),
                          (s.BLUE, "neither, or no better direction")):
        sc.add(s.Marker("square", x + 6, y2 - 4, 5, colour), s.Text(x + 16, y2, words, 12))
        x += 34 + s.text_width(words, 12)
    sc.add(s.Rect(x + 8, y2 - 9, 22, 10, s.LIGHT_GREY, s.MID_GREY),
           s.Text(x + 34, y2, "range", 12),
           s.Rect(x + 80, y2 - 9, 22, 10, s.MID_GREY),
           s.Text(x + 106, y2, "middle half", 12),
           s.Line(x + 190, y2 - 12, x + 190, y2 + 2, s.BLACK, 2),
           s.Text(x + 196, y2, "median", 12))


def _scale(row: dict) -> tuple[float, float] | None:
    g = row["group"]
    xs = [v for v in (g.get("min"), g.get("max"), row.get("value"), g.get("median"))
          if v is not None]
    if not xs:
        return None
    lo, hi = min(xs), max(xs)
    pad = (hi - lo) * 0.06 or abs(hi) * 0.1 or 1.0
    return lo - pad, hi + pad


def _spine_row(sc: Scene, row: dict, y: float) -> None:
    g = row["group"]
    for k, line in enumerate(s.wrap(row["title"], 13, LABEL_W - 10)):
        sc.add(s.Text(0, y + 4 + 15 * k, line, 13))
    value = row.get("value")
    sc.add(s.Text(VALUE_X, y + 4, format_number(value, row["unit"]) if value is not None
                  else "Not available", 13, "end", bold=value is not None))
    # a grade is not placed on a number line (it is shown as its word, never averaged)
    span = None if is_ordinal(row.get("unit")) else _scale(row)
    words = VERDICT_WORDS.get(g["verdict"], g["verdict"])
    for k, line in enumerate(s.wrap(words, 12, SPINE_W - WORDS_X, 2)):
        sc.add(s.Text(WORDS_X, y + 4 + 14 * k, line, 12))
    if span is None:
        return
    lo, hi = span

    def x(v: float) -> float:
        return TRACK_X0 + (v - lo) / (hi - lo) * (TRACK_X1 - TRACK_X0)

    if g.get("min") is not None and g.get("max") is not None:
        sc.add(s.Rect(x(g["min"]), y - 5, max(x(g["max"]) - x(g["min"]), 1), 10, s.LIGHT_GREY,
                      s.MID_GREY))
    if g.get("q1") is not None and g.get("q3") is not None:
        sc.add(s.Rect(x(g["q1"]), y - 5, max(x(g["q3"]) - x(g["q1"]), 1), 10, s.MID_GREY))
    if g.get("median") is not None:
        sc.add(s.Line(x(g["median"]), y - 10, x(g["median"]), y + 10, s.BLACK, 2))
    if value is not None:
        shape, colour = marker_style(g["verdict"], g.get("side"), value, g.get("benchmark"),
                                     row.get("polarity"))
        sc.add(s.Marker(shape, x(value), y, 7, colour, s.BLACK, 1.2))


def spine_chart(rows: list[dict], name: str, whom: str, chart_id: str = "spine") -> Scene:
    """Every indicator against the comparator group: range, middle half, median, and the
    council's marker, with the indicator's name, value and band in words."""
    height = SPINE_TOP + ROW_H * len(rows) + 10
    sc = Scene(chart_id, SPINE_W, height, f"{name} compared with {whom}",
               f"Spine chart of {len(rows)} indicators. For each, the light grey bar is the "
               f"range of the values of {whom}, the darker bar their middle half, the black "
               f"line their median, and the marker {name}'s value; the marker's shape and "
               "colour show its band, which is also written at the end of the row. The table "
               "below gives every number.")
    _legend(sc, 16)
    sc.add(s.Text(0, 64, "Indicator", 12, bold=True), s.Text(VALUE_X, 64, name, 12, "end",
                                                              bold=True),
           s.Text(TRACK_X0, 64, f"Compared with {whom}", 12, bold=True),
           s.Text(WORDS_X, 64, "Band", 12, bold=True))
    for i, row in enumerate(rows):
        y = SPINE_TOP + ROW_H * i + 14
        if i % 2 == 0:
            sc.add(s.Rect(0, y - 16, SPINE_W, ROW_H, "#f8f8f8"))
        _spine_row(sc, row, y)
    return sc


# -- trend lines --------------------------------------------------------------------------------
def _segments(points: list[dict], key: str = "value") -> list[list[int]]:
    """Runs of consecutive indexes whose ``key`` is present (a missing value ends a run)."""
    runs: list[list[int]] = [[]]
    for i, p in enumerate(points):
        if p.get(key) is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(i)
    return [r for r in runs if r]


def _y_range(points: list[dict]) -> tuple[float, float]:
    ys = [v for p in points for v in (p.get("value"), p.get("lower"), p.get("upper"))
          if v is not None]
    lo, hi = min(ys), max(ys)
    ticks = s.nice_ticks(lo, hi, 4) if hi > lo else [lo - 1, lo, lo + 1]
    return min(ticks[0], lo), max(ticks[-1], hi)


def trend_chart(row: dict, chart_id: str, width: float = 300, height: float = 180) -> Scene:
    """One indicator's series: a line through the published values with a gap where a year is
    missing, a shaded band where intervals exist, and a point at every value."""
    pts = row["series"]
    unit = row.get("unit")
    known = [p for p in pts if p.get("value") is not None]
    described = "; ".join(f"{p['period']}: {format_number(p.get('value'), unit)}" for p in pts)
    sc = Scene(chart_id, width, height, f"{row['title']}: values over time",
               f"Line chart of {len(known)} published values from {pts[0]['period'] if pts else ''}"
               f" to {pts[-1]['period'] if pts else ''}; missing years are left as gaps. "
               f"{described}.")
    if not known:
        sc.add(s.Text(width / 2, height / 2, "No values published", 13, "middle"))
        return sc
    left, right, top, bottom = 52, width - 12, 12, height - 34
    lo, hi = _y_range(pts)
    hi = hi if hi > lo else lo + 1
    step = (right - left) / max(len(pts) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return (left + i * step if len(pts) > 1 else (left + right) / 2,
                bottom - (v - lo) / (hi - lo) * (bottom - top))

    for t in s.nice_ticks(lo, hi, 4):
        if lo <= t <= hi:
            _, ty = xy(0, t)
            sc.add(s.Line(left, ty, right, ty, s.LIGHT_GREY, 1),
                   s.Text(left - 6, ty + 4, tick_label(t, unit), 11, "end", fill=s.GREY))
    for run in _segments(pts, "lower"):
        if all(pts[i].get("upper") is not None for i in run) and len(run) > 1:
            upper = [xy(i, pts[i]["upper"]) for i in run]
            lower = [xy(i, pts[i]["lower"]) for i in reversed(run)]
            sc.add(s.Polygon(tuple(upper + lower), s.LIGHT_BLUE))
    for run in _segments(pts):
        if len(run) > 1:
            sc.add(s.Polyline(tuple(xy(i, pts[i]["value"]) for i in run), s.BLUE, 2.5))
    for i, p in enumerate(pts):
        if p.get("value") is not None:
            cx, cy = xy(i, p["value"])
            sc.add(s.Circle(cx, cy, 3.5, s.BLUE, s.WHITE, 1))
    sc.add(s.Line(left, bottom, right, bottom, s.GREY, 1))
    for i in sorted({0, len(pts) - 1}):
        x, _ = xy(i, lo)
        sc.add(s.Text(x, bottom + 16, pts[i]["period"], 11, "middle" if len(pts) == 1 else
                      ("start" if i == 0 else "end"), fill=s.GREY))
    gaps = [p["period"] for p in pts if p.get("value") is None]
    if gaps:
        sc.add(s.Text(left, height - 4, "Gap: no value for " + ", ".join(gaps), 10,
                      fill=s.GREY))
    return sc


# -- funnel plot --------------------------------------------------------------------------------
def _funnel_ticks(sc: Scene, xy, lo: float, hi: float, x_hi: float, unit: str | None,
                  box: tuple[float, float, float]) -> None:
    """Gridlines with value labels, and denominator labels along the bottom."""
    left, right, bottom = box
    for t in s.nice_ticks(lo, hi, 5):
        if lo <= t <= hi:
            _, ty = xy(0, t)
            sc.add(s.Line(left, ty, right, ty, s.LIGHT_GREY),
                   s.Text(left - 6, ty + 4, tick_label(t, unit), 11, "end", fill=s.GREY))
    for t in s.nice_ticks(0, x_hi, 5):
        if t <= x_hi:
            tx, _ = xy(t, lo)
            sc.add(s.Text(tx, bottom + 16, f"{t:,.0f}", 11, "middle", fill=s.GREY))


def funnel_chart(funnel: dict, title: str, unit: str | None, subject_name: str,
                 chart_id: str = "funnel", width: float = 640, height: float = 400) -> Scene:
    """A funnel plot: each council's value against its denominator, the baseline, and the 95%
    (dashed) and 99.8% (solid) control limits; the council itself is a larger, labelled
    diamond."""
    pts = funnel["points"]
    limits = funnel["limits"]
    dens = limits["denominators"]
    subject = next((p for p in pts if p.get("subject")), None)
    sc = Scene(chart_id, width, height, f"Funnel plot: {title}",
               f"Funnel plot of {len(pts)} councils ({funnel['scope']}): value against "
               f"denominator, with the baseline {tick_label(funnel['baseline'], unit)} and the "
               "95% and 99.8% control limits. "
               + (f"{subject_name}: {format_number(subject['value'], unit)} from a denominator "
                  f"of {subject['denominator']:,.0f}." if subject else ""))
    left, right, top, bottom = 64, width - 16, 16, height - 52
    ys = [p["value"] for p in pts] + [v for b in limits["bands"] for k in ("lower", "upper")
                                      for v in b[k]]
    lo, hi = min(ys), max(ys)
    x_hi = max(max(dens), max(p["denominator"] for p in pts))

    def xy(d: float, v: float) -> tuple[float, float]:
        return (left + d / x_hi * (right - left),
                bottom - (v - lo) / ((hi - lo) or 1) * (bottom - top))

    _funnel_ticks(sc, xy, lo, hi, x_hi, unit, (left, right, bottom))
    for band in limits["bands"]:
        dash = (5, 4) if band["level"] < 0.99 else None
        for k in ("lower", "upper"):
            line = tuple(xy(d, v) for d, v in zip(dens, band[k]) if v is not None)
            sc.add(s.Polyline(line, s.DARK_BLUE, 1.2, dash))
    sc.add(s.Line(*xy(0, funnel["baseline"]), *xy(x_hi, funnel["baseline"]), s.BLACK, 1.5))
    for p in pts:
        if not p.get("subject"):
            cx, cy = xy(p["denominator"], p["value"])
            sc.add(s.Circle(cx, cy, 3, s.MID_GREY, s.GREY, 0.5))
    if subject:
        cx, cy = xy(subject["denominator"], subject["value"])
        sc.add(s.Marker("diamond", cx, cy, 8, s.ORANGE, s.BLACK, 1.5),
               s.Text(cx + 11, cy - 8, subject_name, 12, bold=True))
    sc.add(s.Line(left, bottom, right, bottom, s.GREY),
           s.Text((left + right) / 2, height - 18, "Denominator (size of the population "
                  "measured)", 12, "middle"),
           s.Text(8, top - 4, f"Value ({UNIT_WORDS.get(unit or '', unit or 'value')})", 12),
           s.Text(right, height - 2, "Dashed: 95% limits · solid: 99.8% limits · black line: "
                  "baseline", 10, "end", fill=s.GREY))
    return sc


# -- bars of counts (deprivation deciles, consultation responses) --------------------------------
def count_bars(sc: Scene, counts: list[int], colours: list[str],
               box: tuple[float, float, float, float], bar: float = 0.8, size: int = 11,
               bold: bool = False, gap: float = 4, label_empty: bool = False) -> list[float]:
    """Into ``box`` (left, right, top, bottom): light gridlines at round counts, labelled on
    the left, and one bar per count (``bar`` of its slot wide, in its colour) with the count
    written above it (and above an empty slot too when ``label_empty``). Returns each bar's
    centre, for the caller's labels beneath."""
    left, right, top, bottom = box
    peak = max(counts, default=0) or 1
    slot = (right - left) / len(counts)
    for t in s.nice_ticks(0, peak, 4):
        if t <= peak:
            ty = bottom - t / peak * (bottom - top)
            sc.add(s.Line(left, ty, right, ty, s.LIGHT_GREY),
                   s.Text(left - 6, ty + 4, f"{t:,.0f}", 11, "end", fill=s.GREY))
    centres = []
    for i, (count, colour) in enumerate(zip(counts, colours, strict=True)):
        h = count / peak * (bottom - top)
        x = left + i * slot + slot * (1 - bar) / 2
        if count:
            sc.add(s.Rect(x, bottom - h, slot * bar, h, colour))
        if count or label_empty:
            sc.add(s.Text(x + slot * bar / 2, bottom - h - gap, f"{count:,}", size, "middle",
                          bold=bold))
        centres.append(x + slot * bar / 2)
    return centres


# -- neighbourhood deprivation ------------------------------------------------------------------
def deciles_chart(deciles: list[dict], name: str, total: int, chart_id: str = "deciles",
                  width: float = 640, height: float = 300) -> Scene:
    """A bar per IMD decile (1 = the 10% most deprived in England): how many of the area's
    LSOAs are in it, with the count written on the bar."""
    described = "; ".join(f"decile {d['decile']}: {d['count']:,} ({d['share']:.0%})"
                          for d in deciles)
    sc = Scene(chart_id, width, height, f"Neighbourhood deprivation in {name}",
               f"Bar chart of {name}'s {plural(total, 'neighbourhood')} (LSOAs) by IMD 2019 "
               f"decile, from 1 (the 10% most deprived in England) to 10 (the 10% least deprived). "
               f"{described}.")
    left, right, top, bottom = 48, width - 8, 24, height - 56
    colours = [s.DARK_BLUE if d["decile"] <= 2 else s.BLUE if d["decile"] <= 8 else "#5694ca"
               for d in deciles]
    centres = count_bars(sc, [d["count"] for d in deciles], colours, (left, right, top, bottom),
                         bar=0.7, size=12, bold=True, gap=5, label_empty=True)
    for centre, d in zip(centres, deciles, strict=True):
        sc.add(s.Text(centre, bottom + 16, str(d["decile"]), 12, "middle"))
    sc.add(s.Line(left, bottom, right, bottom, s.GREY),
           s.Text(left, bottom + 34, "IMD decile: 1 = most deprived 10% in England, "
                  "10 = least deprived 10%", 12),
           s.Text(left, top - 10, "Number of neighbourhoods (LSOAs)", 12, fill=s.GREY))
    return sc


# -- all the charts of a profile ----------------------------------------------------------------
def profile_charts(profile: dict) -> dict:
    """Every chart of a profile, as scenes: ``spine``, ``trends`` (indicator id -> scene),
    ``funnel`` (the first indicator with funnel data, or None) and ``deciles``."""
    name = profile["council"]["name"]
    out: dict = {"spine": None, "trends": {}, "funnel": None, "funnel_indicator": None,
                 "deciles": None}
    outcomes = profile["outcomes"]
    if outcomes["status"] == "available":
        rows = outcomes["indicators"]
        out["spine"] = spine_chart(rows, name, outcomes["group"]["whom"])
        with_funnel = next((r for r in rows if r.get("funnel")), None)
        if with_funnel:
            out["funnel"] = funnel_chart(with_funnel["funnel"], with_funnel["title"],
                                         with_funnel["unit"], name)
            out["funnel_indicator"] = with_funnel["indicator_id"]
    if profile["trends"]["status"] == "available":
        for i, t in enumerate(profile["trends"]["indicators"]):
            if sum(p.get("value") is not None for p in t["series"]) >= 2:
                out["trends"][t["indicator_id"]] = trend_chart(t, f"trend-{i}")
    lsoas = profile["context"].get("lsoas") or {}
    if lsoas.get("status") == "available":
        out["deciles"] = deciles_chart(lsoas["deciles"], name, lsoas["total"])
    return out
