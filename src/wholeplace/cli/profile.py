"""`wholeplace profile`: a council's place profile as a PDF, an XLSX workbook or JSON."""

from __future__ import annotations

from pathlib import Path

import typer

from wholeplace.cli.common import JSON_HELP, handles_errors, open_read, print_json
from wholeplace.errors import InputError
from wholeplace.insight.profile.build import build_profile


def _write(path: Path, body: bytes) -> None:
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror}. Check the folder exists and "
                         "you can write to it.") from exc


@handles_errors
def profile(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="The council's GSS code."),
    pdf: Path | None = typer.Option(None, "--pdf", metavar="FILE", help="Write the profile as "
                                    "a PDF report to FILE."),
    xlsx: Path | None = typer.Option(None, "--xlsx", metavar="FILE", help="Write the numbers "
                                     "as an XLSX workbook (one sheet per section) to FILE."),
    group: str = typer.Option("ours", "--group", metavar="METHOD", help="Comparator group: "
                              "'ours' (default), 'cipfa', 'region' or 'county' (districts "
                              "only)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A council's place profile: who serves it, context, outcomes against similar councils,
    trends, early-warning flags, whole-place spend and generated sentences.

    Example: wholeplace profile E07000008 --pdf cambridge.pdf --xlsx cambridge.xlsx
    """
    if pdf is None and xlsx is None and not as_json:
        raise InputError("Say what to produce: --pdf FILE, --xlsx FILE and/or --json.")
    with open_read(ctx) as store:
        data = build_profile(store, code, group)
    if pdf is not None:
        from wholeplace.report.pdf import profile_pdf

        _write(pdf, profile_pdf(data))
    if xlsx is not None:
        from wholeplace.report.xlsx import profile_xlsx

        _write(xlsx, profile_xlsx(data))
    if as_json:
        return print_json(data)
    for path in (pdf, xlsx):
        if path is not None:
            typer.echo(f"Wrote {path}")
    for s in data["sentences"]:
        typer.echo(f"- {s['text']}")
