"""A tiny scene of shapes (lines, rectangles, polygons, circles, markers, text) that renders the
same geometry two ways: :func:`to_svg` for the web page and :func:`to_reportlab` for the PDF.

Coordinates are SVG's: the origin is the top left and y grows downwards (``to_reportlab`` flips
them). Every scene has a title and a description, written into the SVG as ``<title>`` and
``<desc>`` (and named by ``aria-labelledby``) so a screen reader announces the chart; the page
puts a data table next to it as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

#: GOV.UK Design System colours.
BLACK, GREY, MID_GREY, LIGHT_GREY = "#0b0c0c", "#505a5f", "#b1b4b6", "#f3f2f1"
BLUE, DARK_BLUE, LIGHT_BLUE = "#1d70b8", "#003078", "#d2e2f1"
GREEN, RED, ORANGE, PURPLE, WHITE = "#00703c", "#d4351c", "#f47738", "#4c2c92", "#ffffff"

#: Shapes a marker may take (so that colour is never the only signal).
MARKER_SHAPES = ("circle", "triangle_up", "triangle_down", "diamond", "square")


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = BLACK
    width: float = 1.0
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str = BLUE
    width: float = 2.0
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str = LIGHT_BLUE
    stroke: str | None = None
    opacity: float = 1.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = LIGHT_GREY
    stroke: str | None = None
    opacity: float = 1.0


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str = BLUE
    stroke: str | None = None
    width: float = 1.0


@dataclass(frozen=True)
class Marker:
    """A point drawn as a shape (see :data:`MARKER_SHAPES`), ``size`` its half-width."""

    shape: str
    x: float
    y: float
    size: float = 6.0
    fill: str = BLUE
    stroke: str = BLACK
    width: float = 1.0

    def points(self) -> tuple[tuple[float, float], ...]:
        s, x, y = self.size, self.x, self.y
        if self.shape == "triangle_up":
            return ((x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8))
        if self.shape == "triangle_down":
            return ((x, y + s), (x + s, y - s * 0.8), (x - s, y - s * 0.8))
        if self.shape == "diamond":
            return ((x, y - s), (x + s, y), (x, y + s), (x - s, y))
        return ((x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s))


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 12.0
    anchor: str = "start"  # start, middle, end
    bold: bool = False
    fill: str = BLACK


Item = Line | Polyline | Polygon | Rect | Circle | Marker | Text


@dataclass
class Scene:
    """A chart: its size, what it shows in words, and its shapes in drawing order."""

    id: str
    width: float
    height: float
    title: str
    desc: str
    items: list[Item] = field(default_factory=list)

    def add(self, *items: Item) -> Scene:
        self.items.extend(items)
        return self

    def texts(self) -> list[str]:
        return [i.text for i in self.items if isinstance(i, Text)]


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An estimate of the width of ``text`` in a sans-serif face (for layout and wrapping)."""
    return len(text) * size * (0.56 if bold else 0.52)


def wrap(text: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (the last one ends in "…" if cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and text_width(trial, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


# -- SVG ---------------------------------------------------------------------------------------
def _n(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _pts(points) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _dash(dash) -> str:
    return f' stroke-dasharray="{" ".join(_n(d) for d in dash)}"' if dash else ""


def _svg_item(i: Item) -> str:
    if isinstance(i, Line):
        return (f'<line x1="{_n(i.x1)}" y1="{_n(i.y1)}" x2="{_n(i.x2)}" y2="{_n(i.y2)}" '
                f'stroke="{i.stroke}" stroke-width="{_n(i.width)}"{_dash(i.dash)}/>')
    if isinstance(i, Polyline):
        return (f'<polyline points="{_pts(i.points)}" fill="none" stroke="{i.stroke}" '
                f'stroke-width="{_n(i.width)}" stroke-linejoin="round"{_dash(i.dash)}/>')
    if isinstance(i, Polygon):
        stroke = f' stroke="{i.stroke}"' if i.stroke else ""
        return (f'<polygon points="{_pts(i.points)}" fill="{i.fill}"{stroke} '
                f'fill-opacity="{_n(i.opacity)}"/>')
    if isinstance(i, Rect):
        stroke = f' stroke="{i.stroke}"' if i.stroke else ""
        return (f'<rect x="{_n(i.x)}" y="{_n(i.y)}" width="{_n(i.w)}" height="{_n(i.h)}" '
                f'fill="{i.fill}"{stroke} fill-opacity="{_n(i.opacity)}"/>')
    if isinstance(i, Circle):
        stroke = f' stroke="{i.stroke}" stroke-width="{_n(i.width)}"' if i.stroke else ""
        return f'<circle cx="{_n(i.cx)}" cy="{_n(i.cy)}" r="{_n(i.r)}" fill="{i.fill}"{stroke}/>'
    if isinstance(i, Marker):
        if i.shape == "circle":
            return (f'<circle cx="{_n(i.x)}" cy="{_n(i.y)}" r="{_n(i.size)}" fill="{i.fill}" '
                    f'stroke="{i.stroke}" stroke-width="{_n(i.width)}"/>')
        return (f'<polygon points="{_pts(i.points())}" fill="{i.fill}" stroke="{i.stroke}" '
                f'stroke-width="{_n(i.width)}"/>')
    anchor = {"start": "start", "middle": "middle", "end": "end"}[i.anchor]
    weight = ' font-weight="bold"' if i.bold else ""
    return (f'<text x="{_n(i.x)}" y="{_n(i.y)}" font-size="{_n(i.size)}" text-anchor="{anchor}"'
            f' fill="{i.fill}"{weight}>{escape(i.text)}</text>')


def to_svg(scene: Scene) -> str:
    """The scene as an inline SVG element with ``<title>`` and ``<desc>``."""
    t, d = f"{scene.id}-title", f"{scene.id}-desc"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="wp-chart" id={quoteattr(scene.id)} '
            f'role="img" aria-labelledby="{t} {d}" viewBox="0 0 {_n(scene.width)} '
            f'{_n(scene.height)}" width="{_n(scene.width)}" height="{_n(scene.height)}" '
            'preserveAspectRatio="xMinYMin meet">')
    body = "".join(_svg_item(i) for i in scene.items)
    return (f'{head}<title id="{t}">{escape(scene.title)}</title>'
            f'<desc id="{d}">{escape(scene.desc)}</desc>{body}</svg>')


# -- reportlab -----------------------------------------------------------------------------------
def to_reportlab(scene: Scene, scale: float = 1.0):
    """The scene as a reportlab ``Drawing`` (vector graphics in the PDF), ``scale`` applied."""
    from reportlab.graphics import shapes as rl
    from reportlab.lib.colors import HexColor

    def colour(c: str | None):
        return None if c is None else HexColor(c)

    def flip(points) -> list[float]:
        return [v for x, y in points for v in (x, scene.height - y)]

    group = rl.Group()
    for i in scene.items:
        if isinstance(i, Line):
            group.add(rl.Line(i.x1, scene.height - i.y1, i.x2, scene.height - i.y2,
                              strokeColor=colour(i.stroke), strokeWidth=i.width,
                              strokeDashArray=list(i.dash) if i.dash else None))
        elif isinstance(i, Polyline):
            group.add(rl.PolyLine(flip(i.points), strokeColor=colour(i.stroke),
                                  strokeWidth=i.width, strokeLineJoin=1,
                                  strokeDashArray=list(i.dash) if i.dash else None))
        elif isinstance(i, Polygon):
            group.add(rl.Polygon(flip(i.points), fillColor=colour(i.fill),
                                 strokeColor=colour(i.stroke), fillOpacity=i.opacity,
                                 strokeWidth=0.5 if i.stroke else 0))
        elif isinstance(i, Rect):
            group.add(rl.Rect(i.x, scene.height - i.y - i.h, i.w, i.h, fillColor=colour(i.fill),
                              strokeColor=colour(i.stroke), fillOpacity=i.opacity,
                              strokeWidth=0.5 if i.stroke else 0))
        elif isinstance(i, Circle):
            group.add(rl.Circle(i.cx, scene.height - i.cy, i.r, fillColor=colour(i.fill),
                                strokeColor=colour(i.stroke), strokeWidth=i.width))
        elif isinstance(i, Marker):
            if i.shape == "circle":
                group.add(rl.Circle(i.x, scene.height - i.y, i.size, fillColor=colour(i.fill),
                                    strokeColor=colour(i.stroke), strokeWidth=i.width))
            else:
                group.add(rl.Polygon(flip(i.points()), fillColor=colour(i.fill),
                                     strokeColor=colour(i.stroke), strokeWidth=i.width))
        else:
            group.add(rl.String(i.x, scene.height - i.y, i.text, fontSize=i.size,
                                fontName="Helvetica-Bold" if i.bold else "Helvetica",
                                fillColor=colour(i.fill), textAnchor=i.anchor))
    group.scale(scale, scale)
    drawing = rl.Drawing(scene.width * scale, scene.height * scale)
    drawing.add(group)
    return drawing


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (about ``count`` of them)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return []
    if high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(low / step) * step
    ticks = []
    x = first
    while x <= high + step * 1e-9:
        ticks.append(round(x, 10))
        x += step
    return ticks
