"""Chart scenes: valid SVG with a title and a description, gaps left for missing values, the
council highlighted, the same geometry drawn for the PDF."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from wholeplace.insight.comparison.compare import funnel_data
from wholeplace.report import charts
from wholeplace.report.scene import Marker, Polyline, Scene, Text, to_reportlab, to_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(scene: Scene) -> ET.Element:
    root = ET.fromstring(to_svg(scene))
    assert root.tag == f"{SVG}svg"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("role") == "img"
    return root


def series(values):
    periods = ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20"]
    return {"indicator_id": "x", "title": "Outcome of short-term services", "unit": "percent",
            "series": [{"period": p, "value": v, "lower": None, "upper": None}
                       for p, v in zip(periods, values)]}


def test_a_trend_line_leaves_a_gap_where_a_value_is_missing():
    scene = charts.trend_chart(series([93.5, 92.9, None, 91.2, 78.7]), "t")
    lines = [i for i in scene.items if isinstance(i, Polyline)]
    assert [len(line.points) for line in lines] == [2, 2]  # two runs, nothing across the gap
    assert any("Gap: no value for 2017-18" in t for t in scene.texts())
    root = parse(scene)
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 4  # a point per published value only
    assert "2017-18: not available" in root.find(f"{SVG}desc").text


def test_a_trend_band_is_drawn_only_where_intervals_exist():
    row = series([50.0, 52.0, 54.0, 53.0, 55.0])
    for p, (lo, hi) in zip(row["series"], [(48, 52), (50, 54), (None, None), (51, 55),
                                           (53, 57)]):
        p["lower"], p["upper"] = lo, hi
    root = parse(charts.trend_chart(row, "t"))
    assert len(root.findall(f"{SVG}polygon")) == 2  # 2015-16..2016-17 and 2018-19..2019-20


def spine_row(value, verdict, side=None, **group):
    g = {"label": "g", "n_members": 15, "n": 15, "mean": 10.0, "median": 10.0, "q1": 8.0,
         "q3": 12.0, "min": 5.0, "max": 15.0, "verdict": verdict, "side": side,
         "benchmark": None, "band": verdict, **group}
    return {"indicator_id": "i", "title": "Carers who find it easy to find information",
            "unit": "percent", "polarity": "higher_is_better", "value": value, "group": g}


def test_the_spine_marker_is_shaped_and_coloured_by_band_and_the_band_is_in_words():
    rows = [spine_row(14.0, "above_upper_quartile", "better"),
            spine_row(6.0, "below_lower_quartile", "worse"),
            spine_row(10.5, "middle_half"), spine_row(None, "not_available")]
    scene = charts.spine_chart(rows, "Cambridgeshire", "its 15 most similar councils")
    markers = [i for i in scene.items if isinstance(i, Marker) and i.size == 7]
    assert [(m.shape, m.fill) for m in markers] == [
        ("triangle_up", charts.s.GREEN), ("triangle_down", charts.s.RED),
        ("circle", charts.s.BLUE)]  # no marker for the missing value
    texts = scene.texts()
    for words in ("highest quarter", "lowest quarter", "middle half", "not available",
                  "Not available", "14%"):
        assert words in texts
    parse(scene)


def test_the_median_marker_moves_with_the_group():
    a = charts.spine_chart([spine_row(10.0, "middle_half")], "X", "a")
    b = charts.spine_chart([spine_row(10.0, "middle_half", median=13.0)], "X", "b")

    def median_x(scene):
        return [i.x1 for i in scene.items if getattr(i, "width", 0) == 2
                and getattr(i, "x1", None) is not None and i.y2 - i.y1 == 20]
    assert median_x(a) != median_x(b)


def test_the_funnel_plot_highlights_the_council():
    # Illustrative counts: test input for the geometry, not data shown anywhere.
    points = [{"area_code": f"E0{i}", "name": f"Area {i}", "numerator": n, "denominator": d}
              for i, (n, d) in enumerate([(30, 100), (55, 200), (160, 500), (250, 1000),
                                          (90, 300), (40, 150)])]
    data = funnel_data(points, 100.0, "E03", "test areas")
    scene = charts.funnel_chart(data, "A share", "percent", "Area 3")
    root = parse(scene)
    assert "Area 3" in scene.texts()
    highlighted = [i for i in scene.items if isinstance(i, Marker)]
    assert len(highlighted) == 1 and highlighted[0].shape == "diamond"
    assert len(root.findall(f"{SVG}circle")) == len(points) - 1
    assert len(root.findall(f"{SVG}polyline")) == 4  # 95% and 99.8%, lower and upper


def test_the_deciles_chart_writes_every_count():
    deciles = [{"decile": d, "count": c, "share": c / 55} for d, c in
               zip(range(1, 11), [0, 1, 2, 3, 4, 5, 6, 7, 8, 19])]
    scene = charts.deciles_chart(deciles, "Fenland", 55)
    root = parse(scene)
    assert len(root.findall(f"{SVG}rect")) == 9  # no bar for a count of 0 ...
    assert "0" in scene.texts() and "19" in scene.texts()  # ... but its count is written


def test_text_is_escaped_and_the_pdf_drawing_has_the_same_shapes():
    scene = Scene("x", 100, 50, "A & B <chart>", "desc").add(Text(1, 10, "R&D <1>"))
    root = parse(scene)
    assert root.find(f"{SVG}text").text == "R&D <1>"
    drawing = to_reportlab(charts.trend_chart(series([1.0, 2.0, None, 3.0, 4.0]), "t"))
    assert drawing.width == 300
    group = drawing.contents[0]
    kinds = [type(c).__name__ for c in group.contents]
    assert kinds.count("PolyLine") == 2 and kinds.count("Circle") == 4


def test_axis_labels_are_signed_as_the_sentences_are():
    assert charts.tick_label(-43.2, "gbp_per_head") == "\u2212£43"
    assert charts.tick_label(612.0, "gbp_per_head") == "£612"
    assert charts.tick_label(-5.0, "percent") == "\u22125%"
    assert charts.tick_label(0.41, "score") == "0.41"
