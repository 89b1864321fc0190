"""The place profile as an XLSX workbook (openpyxl): one sheet per section with the numbers
(values, intervals, group statistics, bands, sources). A missing number is an EMPTY cell, never
0, and every row with a value column has a status column saying why a value is missing.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

COMPARED_COLUMNS = (
    "indicator_id", "title", "unit", "period", "value", "status", "interval_lower",
    "interval_upper", "interval_note", "group_label", "group_members", "group_n", "group_mean",
    "group_median", "group_q1", "group_q3", "group_min", "group_max", "band", "verdict",
    "band_basis", "england_value", "england_basis", "england_band", "depends_on_group",
    "trend", "trend_since", "source_id", "dataset_id",
)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([None if v is None else v for v in row])
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 2, 12), 60)
    ws.freeze_panes = "A2"


def _status(value, status: str | None, reason: str | None = None) -> str:
    if value is not None:
        return status or "published"
    return "; ".join(x for x in (status or "missing", reason) if x)


def _compared_row(r: dict, members: int) -> list:
    g, e, i = r["group"], r["england"], r["interval"] or {}
    trend = r.get("trend") or {}
    return [r["indicator_id"], r["title"], r["unit"], r["period"], r["value"],
            _status(r["value"], r["status"], r.get("note")), i.get("lower"), i.get("upper"),
            i.get("reason"), g["label"], members, g["n"], g["mean"], g["median"], g["q1"],
            g["q3"], g["min"], g["max"], g["band"], g["verdict"], g["basis"], e["value"],
            e["basis"], e["band"], bool(r["depends_on_group"]), trend.get("direction"),
            trend.get("first"), r["source_id"], r["dataset_id"]]


def _not_applicable_row(r: dict) -> list:
    """A spending line of a service another body delivers: its value, and why not compared."""
    row = dict.fromkeys(COMPARED_COLUMNS) | {
        "indicator_id": r["indicator_id"], "title": r["title"], "unit": r["unit"],
        "period": r["period"], "value": r["value"], "status": "published",
        "band": "not applicable", "verdict": "not_applicable", "band_basis": r["reason"]}
    return list(row.values())


def _compared(wb: Workbook, p: dict) -> None:
    out = p["outcomes"]
    if out["status"] != "available":
        _sheet(wb, "Compared", ["status", "reason"], [["not available", out["reason"]]])
        return
    members = len(out["group"]["members"])
    _sheet(wb, "Compared", list(COMPARED_COLUMNS),
           [_compared_row(r, members) for r in out["indicators"]]
           + [_not_applicable_row(r) for r in out.get("not_applicable") or []])
    rows = []
    for r in out["indicators"]:
        for v in r["group"]["values"] or []:
            rows.append([r["indicator_id"], r["period"], v["code"], v["name"], v["value"],
                         _status(v["value"], None, "no value for this period")])
    _sheet(wb, "Group values", ["indicator_id", "period", "code", "name", "value", "status"],
           rows)
    sens = [[r["indicator_id"], s["method"], s["label"], s["n"], s["band"], s["verdict"]]
            for r in out["indicators"] for s in r["sensitivity"]]
    _sheet(wb, "Sensitivity", ["indicator_id", "method", "group", "n", "band", "verdict"], sens)


def _children(wb: Workbook, p: dict) -> None:
    """The children's outcomes of the body that delivers them, each row saying who that is."""
    ch = p.get("children") or {"status": "not available", "reason": "not built"}
    if ch["status"] != "available":
        _sheet(wb, "Children", ["status", "reason"], [["not available", ch["reason"]]])
        return
    members = len(ch["group"]["members"])
    _sheet(wb, "Children", ["delivered_by_code", "delivered_by", *COMPARED_COLUMNS],
           [[ch["delivered_by"]["code"], ch["label"], *_compared_row(r, members)]
            for r in ch["indicators"]])


def _context(wb: Workbook, p: dict) -> None:
    ctx = p["context"]
    if ctx["status"] != "available":
        _sheet(wb, "Context", ["status", "reason"], [["not available", ctx["reason"]]])
        return
    rows = []
    pop = ctx.get("population")
    if pop:
        rows += [["population", a["band"], pop["period"], a["count"], a["share"],
                  _status(a["count"], pop["basis"])] for a in pop["ages"]]
        rows.append(["population", "All ages", pop["period"], pop["all_ages"], None,
                     _status(pop["all_ages"], pop["basis"])])
    dep = ctx.get("deprivation")
    if dep:
        rows.append(["deprivation", "IMD average score", "2019", dep["imd_score"], None,
                     _status(dep["imd_score"], dep["basis"])])
    lsoas = ctx["lsoas"]
    if lsoas["status"] == "available":
        rows += [["lsoa_imd_decile", f"decile {d['decile']}", "2019", d["count"],
                  100 * d["share"], "published"] for d in lsoas["deciles"]]
        rows.append(["lsoa_imd_decile", "all LSOAs", "2019", lsoas["total"], 100.0, "published"])
    else:
        rows.append(["lsoa_imd_decile", "all LSOAs", "2019", None, None,
                     _status(None, "not available", lsoas["reason"])])
    _sheet(wb, "Context", ["measure", "category", "period", "value", "share_percent", "status"],
           rows)


def _trends(wb: Workbook, p: dict) -> None:
    tr = p["trends"]
    if tr["status"] != "available":
        _sheet(wb, "Trends", ["status", "reason"], [["not available", tr["reason"]]])
        return
    rows = [[t["indicator_id"], t["title"], pt["period"], pt["value"],
             _status(pt["value"], pt["status"]), t["trend"]["direction"]]
            for t in tr["indicators"] for pt in t["series"]]
    _sheet(wb, "Trends", ["indicator_id", "title", "period", "value", "status", "trend_test"],
           rows)


def _flags(wb: Workbook, p: dict) -> None:
    fl = p["flags"]
    if fl["status"] != "available":
        _sheet(wb, "Flags", ["status", "reason"], [["not available", fl["reason"]]])
        return
    rows = [[f["indicator"], f["title"], fl["period"], f["value"],
             _status(f["value"], None, f["value_text"]), f["unit"], f["band"],
             (f.get("comparators") or {}).get("median"), f["explanation"]]
            for f in fl["indicators"]]
    _sheet(wb, "Flags", ["indicator", "title", "period", "value", "status", "unit", "band",
                         "comparator_median", "explanation"], rows)


def _spend(wb: Workbook, p: dict) -> None:
    sp = p["spend"]
    if sp["status"] != "available":
        _sheet(wb, "Spend", ["status", "reason"], [["not available", sp["reason"]]])
        return
    areas = sp["areas"] if sp["kind"] == "county" else [
        {"area": p["council"], "totals": sp["lines"] + sp["totals"]}]
    rows = [[a["area"]["gss_code"], a["area"]["name"], sp["period"], r["id"], r["label"],
             r["total_per_head"], _status(r["total_per_head"], "derived",
                                          "lacks " + ", ".join(r.get("lacks") or [])
                                          if r.get("lacks") else None),
             r.get("total_gbp_thousands")]
            for a in areas for r in a["totals"]]
    _sheet(wb, "Spend", ["area_code", "area", "period", "line", "label", "per_head_gbp",
                         "status", "total_gbp_thousands"], rows)
    series = sp.get("series") or []
    if series:
        _sheet(wb, "Spend by year", ["period", "status", "total_excluding_police_fire_per_head",
                                     "known_per_head", "lacks", "tiers", "note"],
               [[y["period"], y["status"], y["total_excluding_police_fire"]["total_per_head"],
                 y["total_excluding_police_fire"]["known_per_head"],
                 ", ".join(y["total_excluding_police_fire"]["lacks"]),
                 ", ".join(f"{t['name']} ({t['status']})" for t in y["tiers"]), y["note"]]
                for y in series])


def profile_xlsx(p: dict) -> bytes:
    """The profile ``p`` (from :func:`build_profile`) as XLSX bytes."""
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    c = p["council"]
    _sheet(wb, "Summary", ["section", "sentence"],
           [[s["section"], s["text"]] for s in p["sentences"]]
           + [["profile", (f"{c['official_name']} ({c['gss_code']}); comparator group: "
                          f"{p['group']}")]])
    served = p["served"]
    _sheet(wb, "Served", ["service", "delivered_by", "body_code", "source"],
           [[r["service"], r["body_name"], r.get("body_code"), r["source"]]
            for r in (served.get("who_delivers") or [])])
    _context(wb, p)
    _compared(wb, p)
    _children(wb, p)
    _trends(wb, p)
    _flags(wb, p)
    _spend(wb, p)
    _sheet(wb, "Sources", ["dataset_id", "source_id", "title", "publisher", "release",
                           "licence", "url"],
           [[d["dataset_id"], d["source_id"], d["title"], d["publisher"], d["release"],
             d["licence"], d["url"] or d["landing_page"]] for d in p["sources"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
