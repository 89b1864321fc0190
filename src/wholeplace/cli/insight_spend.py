"""`wholeplace spend`: whole-place spend per head of a council area, by tier and service line."""

from __future__ import annotations

import enum

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.errors import InputError
from wholeplace.insight.spend.compare import compare_spend
from wholeplace.insight.spend.series import latest_year, place_spend_series
from wholeplace.insight.spend.wholeplace import place_spend


#: Comparator methods offered on the command line (``custom`` needs a member list: use Python).
class Method(enum.StrEnum):
    national = "national"
    region = "region"
    ours = "ours"
    cipfa = "cipfa"
    county = "county"

_KIND = {"own": "Council", "county": "County", "combined": "Comb. auth."}


def money(value: float | None, width: int = 10, places: int = 2) -> str:
    """A figure with thousands separators; a missing value is shown as 'unknown', never 0."""
    return f"{'unknown' if value is None else f'{value:,.{places}f}':>{width}}"


@handles_errors
def spend(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE",
                               help="GSS code of a council area (a district, unitary, "
                                    "metropolitan district or London borough) or of a county."),
    year: int | None = typer.Option(None, "--year", help="The financial year, by the year it "
                                    "starts in (2017 for 2017-18); default: the latest loaded."),
    series: bool = typer.Option(False, "--series", help="The whole-place total per resident for "
                                "every year loaded instead (a year in which a tier has no "
                                "figures says 'incomplete')."),
    compare: Method | None = typer.Option(None, "--compare", help="Also compare the whole-place "
                                          "spend per head with a comparator group by this "
                                          "method."),
    rank: bool = typer.Option(False, "--rank", help="With --compare: also show the area's "
                              "rank by spend per head, highest first (a tie as the range of "
                              "ranks it shares)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Whole-place spend: what each tier of local government spends per resident of an area.

    For each RS service line: the area's own council, the county council and the combined
    authority (or the GLA in London), apportioned by population, and their total. For a county,
    a summary of each of its districts. See docs/whole-place-spend.md.

    Example: wholeplace spend E07000008 --year 2017   |   wholeplace spend E07000223 --series
    """
    if series:
        return _series(ctx, code, as_json)
    if rank and compare is None:
        raise InputError("--rank ranks the area among a comparator group: add --compare "
                         "METHOD (for example --compare national).")
    with open_read(ctx) as store:
        year = latest_year(store) if year is None else year
        result = place_spend(store, code, year)
        compared = compare_spend(store, code, year, compare.value, rank) if compare else None
    if as_json:
        return print_json({"spend": result, "comparison": compared})
    if result["kind"] == "county":
        _show_county(result)
    else:
        _show_area(result)
    if compared is not None:
        _show_comparison(compared)


def _show_area(r: dict) -> None:
    a, pop = r["area"], r["population"]
    typer.echo(f"Whole-place spend in {a['official_name']} ({a['gss_code']}), {r['period']}")
    typer.echo(pop["note"] if pop["value"] is None else
               f"{pop['note']} Population of {a['name']}: {pop['value']:,.0f}.")
    # without a population basis, each council's own cash (£ thousand) as published instead
    cell, total, what, places = ("per_head", "total_per_head", "£ per head", 2) \
        if r["per_head_available"] else ("cash_gbp_thousands", "total_gbp_thousands",
                                         ("£ thousand as published (not apportioned: no "
                                         "population basis)"), 0)
    typer.echo(f"Net current expenditure, {what}, by the tier that spends it:\n")
    tiers = [t for t in r["tiers"] if t["status"] != "not_created"]
    head = "".join(f"{_KIND[t['kind']]:>12}" for t in tiers)
    typer.echo(f"{'Service':<34}{head}{'Total':>12}")
    for row in r["lines"] + r["totals"]:
        cells = "".join(money(c[cell], 12, places) for c in row["tiers"])
        typer.echo(f"{row['label']:<34}{cells}{money(row[total], 12, places)}")
    typer.echo("\nTiers:")
    for t in r["tiers"]:
        share = f", {t['share']:.1%} of its residents live here" \
            if t["kind"] != "own" and t["share"] is not None else ""
        typer.echo(f"  {_KIND[t['kind']]:<12} {t['official_name']} ({t['code']}): "
                   f"{t['status'].replace('_', ' ')}{share}")
    _show_texts("Not included", r["not_included"])
    _show_texts("Notes", r["notes"])


def _series(ctx: typer.Context, code: str, as_json: bool) -> None:
    with open_read(ctx) as store:
        result = place_spend_series(store, code)
    if as_json:
        return print_json({"series": result})
    a = result["area"]
    typer.echo(f"Whole-place spend per resident in {a['official_name']} ({a['gss_code']}) by "
               "year: total service expenditure excluding police and fire, £ per head")
    typer.echo(f"\n{'Year':<10}{'Total':>10}  {'Status':<12}Tiers")
    for y in result["years"]:
        row = y[result["total"]]
        tiers = ", ".join(f"{t['name']} ({t['status'].replace('_', ' ')})" for t in y["tiers"])
        typer.echo(f"{y['period']:<10}{money(row['total_per_head'], 10)}  {y['status']:<12}"
                   f"{tiers}")
    _show_texts("Notes", [result["note"]] + [y["note"] for y in result["years"] if y["note"]])
    return None


def _show_county(r: dict) -> None:
    c = r["county"]
    typer.echo(f"Whole-place spend in the districts of {c['official_name']} ({c['gss_code']}), "
               f"{r['period']}: total service expenditure excluding police and fire, £ per head")
    typer.echo(f"\n{'District':<30}{'Population':>12}{'District':>11}{'County':>11}"
               f"{'Comb. auth.':>12}{'Total':>11}")
    for area in r["areas"]:
        row = area["totals"][1]
        parts = {cell["kind"]: cell["per_head"] for cell in row["tiers"]}
        pop = area["population"]["value"]
        typer.echo(f"{area['area']['name']:<30}{'unknown' if pop is None else f'{pop:,.0f}':>12}"
                   f"{money(parts.get('own'), 11)}{money(parts.get('county'), 11)}"
                   f"{'' if 'combined' not in parts else money(parts['combined'], 12):>12}"
                   f"{money(row['total_per_head'], 11)}")
    typer.echo(f"\nRun 'wholeplace spend CODE --year {r['year']}' on a district for every line.")
    _show_texts("Not included", r["not_included"])
    _show_texts("Notes", r["notes"])


def _comparison_cells(row: dict, ranked: bool) -> list[str]:
    cells = [row["label"], *(money(row[k], 0) for k in ("value", "q1", "median", "q3"))]
    if ranked:
        r = row["rank"]
        cells.append(r["label"] or f"none ({r['reason']})")
    where = row["position"] or "-"
    return [*cells, where + (f" ({len(row['unknown'])} unknown)" if row["unknown"] else "")]


def _show_comparison(c: dict) -> None:
    typer.echo(f"\nCompared with {c['label']} ({len(c['members'])} areas, method {c['method']}),"
               " £ per head:\n")
    head = ["Service", "Here", "Lower q.", "Median", "Upper q."] + (
        ["Rank (by spend, highest first)"] if c["rank"] else []) + ["Position"]
    rows = [head] + [_comparison_cells(row, c["rank"]) for row in c["lines"]]
    # Each column as wide as its widest cell, two spaces between: figures never run together.
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    for r in rows:  # the figures right-aligned, the words left-aligned
        cells = [f"{cell:>{w}}" if 1 <= i <= 4 else f"{cell:<{w}}"
                 for i, (cell, w) in enumerate(zip(r, widths))]
        typer.echo("  ".join([*cells, r[-1]]))
    _show_texts("Comparison notes", c["notes"])


def _show_texts(title: str, texts: list[str]) -> None:
    if texts:
        typer.echo(f"\n{title}:")
        for t in texts:
            typer.echo(f"  - {t}")
