"""`wholeplace flags`: early warning of financial and service risk (docs/early-warning.md)."""

from __future__ import annotations

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.errors import InputError
from wholeplace.insight.early_warning import backtest as backtesting
from wholeplace.insight.early_warning import resilience


@handles_errors
def flags(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", metavar="YEAR", help="Use only data published by "
                             "31 December of this year; the latest financial year published by "
                             "then is assessed (2018 assesses 2017-18)."),
    code: str | None = typer.Option(None, "--code", metavar="GSS", help="Show one council's "
                                    "indicators in full instead of the list."),
    limit: int = typer.Option(20, "--limit", metavar="N", help="How many councils to list, "
                              "most at risk first (default 20)."),
    method: str = typer.Option("kind", "--method", metavar="METHOD", help="Comparators: 'kind' "
                               "(same kind of council nationally, the default), 'region' (same "
                               "kind in the same region), or a comparator-group method: 'ours', "
                               "'cipfa', 'county' (slower: one group per council)."),
    backtest: bool = typer.Option(False, "--backtest", help="Also check what happened next: how "
                                  "the flagged councils' usable reserves moved over the next two "
                                  "years against the rest ('wholeplace backtest' for every year)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Early-warning flags of financial and service risk for every council, most at risk first.

    Uses only Revenue Outturn data published by the end of YEAR. Each flag gives the value, the
    threshold, the council's position among its comparators and the trend.

    Example: wholeplace flags --year 2018
    """
    if limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}.")
    with open_read(ctx) as store:
        if code:
            found = resilience.council_flags(store, year, code, method)
            return print_json(found) if as_json else _show_council(found)
        result = resilience.assess(store, year, method)
        tested = backtesting.backtest(store, [year], method=method) if backtest else None
    if as_json:
        return print_json({k: v for k, v in result.items() if k != "councils"}
                          | {"councils": result["councils"][:limit], "backtest": tested})
    _show_list(result, limit)
    if tested is not None:
        _show_backtest(tested)


def _header(result: dict) -> None:
    typer.echo(f"Early warning for {result['period']}, from data published by "
               f"{result['as_of'].isoformat()} (years used: {', '.join(result['periods_used'])}"
               + (f"; not in the data: {', '.join(result['missing_years'])}"
                  if result["missing_years"] else "") + ").")
    for caveat in result["caveats"]:
        typer.echo(f"Note: {caveat}")


def _show_list(result: dict, limit: int) -> None:
    _header(result)
    councils = result["councils"]
    typer.echo(f"\n{'code':<10} {'council':<32} {'higher':>6} {'some':>5}  top flags")
    for c in councils[:limit]:
        top = "; ".join(f"{f['title']} {f['value_text']}" for f in c["flags"][:2]
                        if f["band"] == "higher risk") or "-"
        typer.echo(f"{c['code']:<10} {c['name'][:32]:<32} {c['higher_risk']:>6} "
                   f"{c['some_risk']:>5}  {top}")
    typer.echo(f"\n{min(limit, len(councils))} of {len(councils)} councils shown. Run "
               f"'wholeplace flags --year {result['year']} --code CODE' for one council in full.")


def _show_council(found: dict) -> None:
    _header(found)
    c = found["council"]
    typer.echo(f"\n{c['name']} ({c['code']}), {c['la_type']}, {c['region'] or '-'}: "
               f"{c['higher_risk']} higher-risk and {c['some_risk']} some-risk flags; "
               f"{found['rank']} of {found['of']} by risk. Comparators: "
               f"{c['comparator_group']['label']} ({c['comparator_group']['method']}).")
    for r in c["indicators"]:
        typer.echo(f"\n[{r['band']}] {r['explanation']}")
        if "threshold" in r and r["threshold"]["value"] is not None:
            typer.echo(f"  Threshold source: {r['threshold']['source']}")
        if "lines" in r:
            typer.echo(f"  Data: {'; '.join(r['lines'])}")


def _show_backtest(tested: dict) -> None:
    typer.echo(f"\nBacktest: flagged = {tested['flagged_means']}; outcome = {tested['outcome']}; "
               f"{tested['method']}.")
    typer.echo(backtest_table(tested))


def _num(x: float | None, width: int) -> str:
    return f"{'-' if x is None else f'{x:+.1f}':>{width}}"


def backtest_table(tested: dict) -> str:
    """The backtest rows as a text table (one line per year)."""
    header = (f"{'year':<5} {'assessed':<8} {'outcome':<8} {'flagged':>7} {'others':>6} "
              f"{'n flag':>6} {'n oth':>6} {'mean flag':>9} {'mean oth':>9} {'diff':>7} "
              f"{'95% interval':>17}")
    lines = [header]
    for r in tested["rows"]:
        head = (f"{r['year']:<5} {r['assessed_period']:<8} {r['outcome_period']:<8} "
                f"{r['flagged']:>7} {r['not_flagged']:>6} ")
        if r["status"] != "compared":
            lines.append(head + r["status"])
            continue
        ci = ("-" if r["ci_low"] is None else f"{r['ci_low']:+.1f} to {r['ci_high']:+.1f}")
        lines.append(head + f"{r['flagged_with_outcome']:>6} {r['not_flagged_with_outcome']:>6} "
                     f"{_num(r['flagged_mean'], 9)} {_num(r['not_flagged_mean'], 9)} "
                     f"{_num(r['difference'], 7)} {ci:>17}")
    return "\n".join(lines)


@handles_errors
def backtest(
    ctx: typer.Context,
    first: int = typer.Option(backtesting.YEARS[0], "--from", metavar="YEAR",
                              help="First year (default 2012)."),
    last: int = typer.Option(backtesting.YEARS[-1], "--to", metavar="YEAR",
                             help="Last year (default 2024)."),
    min_higher: int = typer.Option(backtesting.MIN_HIGHER, "--min-higher", metavar="N",
                                   help="'Higher risk' flags that make a council flagged "
                                        "(default 2)."),
    method: str = typer.Option("kind", "--method", metavar="METHOD",
                               help="Comparators, as for 'wholeplace flags' (default 'kind')."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Do the early-warning flags carry information? For every year, flag councils with data
    published by 31 December, then compare how the flagged councils' usable reserves (% of net
    revenue expenditure) moved over the next two years against the rest.

    Example: wholeplace backtest
    """
    if first > last:
        raise InputError(f"--from {first} is after --to {last}.")
    with open_read(ctx) as store:
        tested = backtesting.backtest(store, list(range(first, last + 1)), min_higher, method)
    if as_json:
        return print_json(tested)
    _show_backtest(tested)
    for r in tested["rows"]:
        if r["status"] != "compared":
            typer.echo(f"{r['year']}: {r['reason']}")
