"""Comparison commands: `wholeplace neighbours` (a council's comparator group) and
`wholeplace compare` (its indicators against the group and England). Thin: the work is in
wholeplace.insight.peers.groups and wholeplace.insight.comparison.compare."""

from __future__ import annotations

import enum

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.insight.comparison import compare as cmp
from wholeplace.insight.peers.groups import comparator_group


#: The comparator methods a person can choose on the command line (custom needs a list).
class Method(enum.StrEnum):
    ours = "ours"
    cipfa = "cipfa"
    region = "region"
    county = "county"


@handles_errors
def neighbours(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="The council's GSS code."),
    method: Method = typer.Option(Method.ours, "--method", help="How the group is chosen: "
                                  "ours (most similar by context), cipfa (published CIPFA "
                                  "nearest neighbours), region or county (districts only)."),
    k: int = typer.Option(15, "--k", min=1, max=100, help="How many councils in our group "
                          "(method ours only)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A council's comparator group, most similar first, with distances and reasons.

    Example: wholeplace neighbours E07000008 --method cipfa
    """
    with open_read(ctx) as store:
        group = comparator_group(store, code, method.value, settings={"k": k})
    if as_json:
        return print_json(group.to_dict())
    typer.echo(group.label)
    typer.echo(group.description)
    for i, m in enumerate(group.members, start=1):
        distance = "-" if m.distance is None else f"{m.distance:.3f}"
        typer.echo(f"{i:>3}. {m.code}  {m.name:<32} distance {distance}")
        for line in ([m.reasons] if m.reasons else []) + m.notes:
            typer.echo(f"       {line}")
    if not group.members:
        typer.echo("  (no councils in this group)")
    for note in group.notes:
        typer.echo(f"Note: {note}")


def _number(x: float | None) -> str:
    if x is None:
        return "not available"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.1f}"


def _value(row: dict) -> str:
    if row["value"] is None:
        return "not available"
    iv = row["interval"]
    text = _number(row["value"])
    if iv["lower"] is not None:
        text += f" ({_number(iv['lower'])} to {_number(iv['upper'])})"
    return text


@handles_errors
def compare(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="The council's GSS code."),
    group: Method = typer.Option(Method.ours, "--group", help="The comparator group: ours, "
                                 "cipfa, region or county (districts only)."),
    indicator: list[str] = typer.Option(None, "--indicator", metavar="ID", help="Only this "
                                        "indicator (repeat for several)."),
    rank: bool = typer.Option(False, "--rank", help="Also give the rank within the group, "
                              "with the range of ranks its confidence interval allows."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Compare a council's indicators with its comparator group and with England.

    Each value has its confidence interval where the data gives a numerator and denominator
    (then the band is a significance test); otherwise the band is its position among the group
    (quartiles), never called significant. A spending line of a service another body delivers
    in the area, on which the council published 0, is "not applicable" (delivered by that
    body), not compared. The summary says which verdicts change with the choice of group.

    Example: wholeplace compare E07000008
    """
    with open_read(ctx) as store:
        result = cmp.compare_area(store, code, method=group.value,
                                  indicators=indicator or None, rank=rank)
    if as_json:
        return print_json(result)
    _show(result, rank)


def _show(result: dict, rank: bool) -> None:
    c = result["council"]
    typer.echo(f"{c['name']} ({c['code']}), {c['la_type']}: compared with "
               f"{result['group']['label'][:1].lower()}{result['group']['label'][1:]} and all "
               f"{c['kind_label']} in England")
    typer.echo(f"Intervals at {result['confidence']:.0%}; fewer than "
               f"{result['min_comparators']} comparators with a value give 'not enough data'.\n")
    for r in result["indicators"]:
        g, e = r["group"], r["england"]
        typer.echo(f"{r['title']} [{r['indicator_id']}], {r['period'] or 'no period'}"
                   + (f" ({r['newer']['note']})" if r.get("newer") else ""))
        if r.get("not_applicable"):  # a service another body delivers: no comparison at all
            typer.echo(f"    value {_value(r)}; {g['band']['band']} ({g['band']['reason']})")
            continue
        typer.echo(f"    value {_value(r)}; group median {_number(g.get('median'))}; "
                   f"England {_number(e.get('value'))}")
        typer.echo(f"    vs group: {g['band']['band']}; vs England: {e['band']['band']}")
        if rank and "rank" in r:
            why = f" ({r['rank']['reason']})" if r["rank"].get("reason") else ""
            typer.echo(f"    rank: {r['rank']['label']}{why}")
    if result.get("not_applicable_note"):
        typer.echo(f"\n{result['not_applicable_note']}")
    if result.get("newer_note"):
        typer.echo(f"\n{result['newer_note']}")
    s = result["sensitivity"]
    typer.echo(f"\nSensitivity: groups compared: {', '.join(s['methods'])}.")
    for m, why in result["unavailable_methods"].items():
        typer.echo(f"  {m}: not used ({why})")
    if s["depends_on_group"]:
        typer.echo(f"The verdict depends on the group for {len(s['depends_on_group'])} "
                   "indicator(s):")
        for r in result["indicators"]:
            if r["depends_on_group"]:
                bands = "; ".join(f"{x['method']}: {x['band']}" for x in r["sensitivity"])
                typer.echo(f"  {r['indicator_id']}: {bands}")
    else:
        typer.echo("No verdict changes with the choice of group.")
