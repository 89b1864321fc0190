"""The place profile as a PDF (reportlab, pure Python): title, who serves the place, context,
the generated sentences, the charts as vector drawings (the same scenes as the web page), the
comparison table, flags, whole-place spend and the sources with their licences.
"""

from __future__ import annotations

import io
from datetime import date

from wholeplace.insight.profile.sentences import format_number
from wholeplace.report.charts import profile_charts
from wholeplace.report.scene import Scene, to_reportlab

NOT_AVAILABLE = "Not available"
PAGE_MARGIN = 40


#: The tallest a chart may be drawn (points): an A4 frame less room for its heading.
MAX_CHART_HEIGHT = 700.0


def _styles():
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    black = HexColor("#0b0c0c")
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName="Helvetica-Bold",
                                fontSize=20, leading=24, alignment=0, textColor=black),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName="Helvetica-Bold",
                             fontSize=14, leading=18, spaceBefore=12, textColor=black),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName="Helvetica-Bold",
                             fontSize=11, leading=14, spaceBefore=6, textColor=black),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName="Helvetica",
                               fontSize=9.5, leading=12.5, textColor=black),
        "small": ParagraphStyle("s", parent=base["BodyText"], fontName="Helvetica",
                                fontSize=8, leading=10, textColor=HexColor("#505a5f")),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontName="Helvetica",
                               fontSize=7.5, leading=9, textColor=black),
    }


def _p(text, style):
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def _table(rows: list[list], widths: list[float], st: dict):
    from reportlab.lib.colors import HexColor
    from reportlab.platypus import Table, TableStyle

    body = [[_p(c, st["cell"]) for c in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _chart(scene: Scene | None, width: float):
    if scene is None:
        return None
    # a tall chart (many indicators) is scaled down to fit a page's frame
    return to_reportlab(scene, min(1.0, width / scene.width, MAX_CHART_HEIGHT / scene.height))


def _unavailable(sec: dict, what: str, st: dict) -> list:
    return [_p(f"{what} is not available because {sec['reason']}.", st["body"])]


def _context(p: dict, charts: dict, width: float, st: dict) -> list:
    ctx = p["context"]
    if ctx["status"] != "available":
        return _unavailable(ctx, "The context of this place", st)
    out = []
    pop = ctx.get("population")
    if pop:
        rows = [["Age", "People", "Share"]] + [
            [a["band"], format_number(a["count"], "count"), format_number(a["share"], "percent")]
            for a in pop["ages"]] + [["All ages", format_number(pop["all_ages"], "count"), ""]]
        out += [_p(f"Residents by age ({pop['period']})", st["h3"]),
                _table(rows, [width * 0.4, width * 0.2, width * 0.2], st)]
    dep = ctx.get("deprivation")
    if dep:
        out.append(_p(f"IMD average score: {format_number(dep['imd_score'], 'score')} "
                      f"({dep['basis'] or NOT_AVAILABLE}). {dep['note']}", st["body"]))
    if charts["deciles"] is not None:
        out += [_p("Neighbourhood deprivation", st["h3"]), _chart(charts["deciles"], width),
                _p(ctx["lsoas"]["note"], st["small"])]
    elif ctx["lsoas"]["status"] != "available":
        out += _unavailable(ctx["lsoas"], "Neighbourhood deprivation", st)
    return out


def _outcomes(p: dict, charts: dict, width: float, st: dict) -> list:
    out_sec = p["outcomes"]
    if out_sec["status"] != "available":
        return _unavailable(out_sec, "The comparison with similar councils", st)
    g = out_sec["group"]
    flow = [_p(f"Comparator group: {g['label']}.", st["body"])]
    for note in ("outcomes_note", "not_applicable_note"):
        if out_sec.get(note):
            flow.append(_p(out_sec[note], st["body"]))
    flow.append(_chart(charts["spine"], width))
    rows = [["Indicator", "Period", p["council"]["name"], "Group median", "Middle half", "Band",
             "England median"]]
    for r in out_sec["indicators"]:
        q = r["group"]
        half = (f"{format_number(q['q1'], r['unit'])} to {format_number(q['q3'], r['unit'])}"
                if q["q1"] is not None else NOT_AVAILABLE)
        rows.append([r["title"], r["period"] or NOT_AVAILABLE,
                     format_number(r["value"], r["unit"], NOT_AVAILABLE),
                     format_number(q["median"], r["unit"], NOT_AVAILABLE), half, q["band"],
                     format_number(r["england"]["value"], r["unit"], NOT_AVAILABLE)])
    widths = [0.27, 0.08, 0.11, 0.11, 0.15, 0.17, 0.11]
    flow.append(_table(rows, [width * w for w in widths], st))
    if charts["funnel"] is not None:
        flow += [_p("Funnel plot", st["h3"]), _chart(charts["funnel"], width)]
    return flow


def _children(p: dict, width: float, st: dict) -> list:
    """The children's outcomes of the body that delivers them, labelled with who that is."""
    ch = p.get("children") or {"status": "not available", "reason": "it was not built"}
    if ch["status"] != "available":
        return _unavailable(ch, "The children's services section", st)
    flow = [_p(f"{ch['label']}.", st["body"])]
    flow += [_p(ch[k], st["body"]) for k in ("note", "newer_note") if ch.get(k)]
    rows = [["Indicator", "Period", ch["delivered_by"]["name"], "Group median", "Band",
             "England median"]]
    for r in ch["indicators"]:
        rows.append([r["title"], r["period"] or NOT_AVAILABLE,
                     format_number(r["value"], r["unit"], NOT_AVAILABLE),
                     format_number(r["group"]["median"], r["unit"], NOT_AVAILABLE),
                     r["group"]["band"],
                     format_number(r["england"]["value"], r["unit"], NOT_AVAILABLE)])
    widths = [0.34, 0.1, 0.12, 0.12, 0.2, 0.12]
    flow.append(_table(rows, [width * w for w in widths], st))
    return flow


def _trends(p: dict, charts: dict, width: float, st: dict) -> list:
    from reportlab.platypus import Table

    if p["trends"]["status"] != "available":
        return _unavailable(p["trends"], "The trends section", st)
    cells = []
    for t in p["trends"]["indicators"]:
        scene = charts["trends"].get(t["indicator_id"])
        if scene is not None:
            cells.append([_p(t["title"], st["cell"]), _chart(scene, width / 3 - 8),
                          _p(t["trend"].get("text") or "", st["cell"])])
    grid = [cells[i:i + 3] for i in range(0, len(cells), 3)]
    if not grid:
        return [_p("No indicator has two or more published values to chart.", st["body"])]
    grid[-1] += [_p("", st["cell"])] * (3 - len(grid[-1]))
    return [Table([[c for c in row] for row in grid], colWidths=[width / 3] * 3)]


def _flags(p: dict, width: float, st: dict) -> list:
    fl = p["flags"]
    if fl["status"] != "available":
        return _unavailable(fl, "The early-warning section", st)
    rows = [["Indicator", "Value", "Band", "Explanation"]] + [
        [f["title"], f["value_text"], f["band"], f["explanation"]] for f in fl["indicators"]]
    return [_p(f"{fl['period']}, compared with the {fl['compared_with']}.", st["body"]),
            _table(rows, [width * w for w in (0.25, 0.1, 0.1, 0.55)], st)]


def _spend(p: dict, width: float, st: dict) -> list:
    sp = p["spend"]
    if sp["status"] != "available":
        return _unavailable(sp, "Whole-place spending", st)
    if sp["kind"] == "county":
        labels = [t["label"] for t in sp["areas"][0]["totals"]] if sp["areas"] else []
        rows = [["District", *labels]] + [
            [a["area"]["name"], *(format_number(t["total_per_head"], "gbp_per_head")
                                  for t in a["totals"])] for a in sp["areas"]]
    else:
        rows = [["Service", *(t["name"] for t in sp["columns"]), "All tiers"]] + [
            [r["label"], *("No figures" if c["no_figures"] else
                           format_number(c["per_head"], "gbp_per_head", NOT_AVAILABLE)
                           for c in r["cells"]),
             format_number(r["total_per_head"], "gbp_per_head", NOT_AVAILABLE)]
            for r in sp["lines"] + sp["totals"]]
    n = len(rows[0])
    widths = [width * 0.34] + [width * 0.66 / (n - 1)] * (n - 1)
    return [_p(f"Net current expenditure per resident, {sp['period']}.", st["body"]),
            _table(rows, widths, st)] + [_p(n_, st["small"]) for n_ in sp["notes"][:4]]


def _sources(p: dict, width: float, st: dict) -> list:
    rows = [["Dataset", "Publisher", "Release", "Licence"]] + [
        [d["title"], d["publisher"] or NOT_AVAILABLE, d["release"] or NOT_AVAILABLE,
         d["licence"] or NOT_AVAILABLE] for d in p["sources"]]
    return [_table(rows, [width * w for w in (0.4, 0.2, 0.15, 0.25)], st)]


def story(p: dict, width: float) -> list:
    """The flowables of the whole report."""
    st = _styles()
    c = p["council"]
    charts = profile_charts(p)
    flow: list = [_p(f"{c['official_name']}: place profile", st["title"]),
                  _p(f"{c['la_type'].capitalize()} · {c['gss_code']} · produced by wholeplace on "
                     f"{date.today():%d %B %Y} from published data. Missing values are shown as "
                     "missing, never as 0; positions are places in a spread, not ranks.",
                     st["small"])]
    served = p["served"]
    flow += [_p("Who serves this place", st["h2"]),
             _p(served["served_by"]["summary"] if served["status"] == "available"
                else f"Not available because {served['reason']}.", st["body"])]
    flow += [_p("Summary", st["h2"])] + [_p(f"• {s['text']}", st["body"]) for s in p["sentences"]]
    sections = (("The place", _context(p, charts, width, st)),
                ("Outcomes and spending compared", _outcomes(p, charts, width, st)),
                ("Children's services", _children(p, width, st)),
                ("Trends", _trends(p, charts, width, st)),
                ("Early-warning flags", _flags(p, width, st)),
                ("Whole-place spending", _spend(p, width, st)),
                ("Sources and licences", _sources(p, width, st)))
    for title, parts in sections:
        flow.append(_p(title, st["h2"]))
        flow += [x for x in parts if x is not None]
    return flow


def profile_pdf(p: dict) -> bytes:
    """The profile ``p`` (from :func:`build_profile`) as PDF bytes (A4)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
                            topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN,
                            title=f"{p['council']['official_name']}: place profile",
                            author="wholeplace", subject="Place profile from published data")
    doc.build(story(p, A4[0] - 2 * PAGE_MARGIN))
    return buf.getvalue()
