"""Spreadsheets (.xls, .xlsx, .xlsm, .ods) read through python-calamine, one reader for all.

calamine (a Rust library) reads the three formats with one API and is several times faster than
xlrd, openpyxl or odfpy. Cells come back as published: numbers as ``float`` (or ``int``), text as
``str``, dates as :class:`datetime.date` / :class:`datetime.datetime`, booleans as ``bool``; an
empty cell becomes ``None`` here, so "missing" is never confused with an empty string or 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from wholeplace.errors import InputError

#: File suffixes this module reads.
SUFFIXES = (".xls", ".xlsx", ".xlsm", ".ods")

Rows = list[list]


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path.name}: a workbook must be one of {', '.join(SUFFIXES)}, "
                         f"not {suffix!r}. Save it in one of those formats, or as CSV UTF-8.")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputError(f"{path.name} could not be opened as a {suffix} workbook "
                         f"({type(exc).__name__}: {exc}). Is it a spreadsheet saved in that "
                         "format? Save it again, or export the sheet as CSV UTF-8.") from exc


def _rows(sheet) -> Rows:
    # Row by row in place, not a second list of lists: a sheet whose used range runs to column
    # XFD (RA 2020-21: 470 rows x 16,384 columns) would otherwise be held twice (about 60 MB).
    rows = sheet.to_python(skip_empty_area=False)
    for row in rows:
        row[:] = [None if v == "" else v for v in row]
    return rows


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order."""
    return list(_open(path).sheet_names)


def read_workbook(path: Path, sheets: Iterable[str] | None = None) -> list[tuple[str, Rows]]:
    """Every sheet (or only those named in ``sheets``) as ``(name, rows of cell values)``.

    A named sheet that the workbook lacks is an :class:`InputError` listing the sheets it has.
    """
    book = _open(path)
    names = list(book.sheet_names)
    wanted = names if sheets is None else list(sheets)
    missing = [s for s in wanted if s not in names]
    if missing:
        raise InputError(f"{path.name}: no sheet called {', '.join(map(repr, missing))} "
                         f"(it has {', '.join(map(repr, names))}).")
    out = []
    for name in wanted:
        try:
            out.append((name, _rows(book.get_sheet_by_name(name))))
        except Exception as exc:
            if sheets is not None:
                raise InputError(f"{path.name}: sheet {name!r} could not be read "
                                 f"({type(exc).__name__}: {exc}).") from exc
    return out


def read_sheet(path: Path, name: str | None = None) -> Rows:
    """One sheet's rows: the one called ``name``, else the first."""
    if name is None:
        book = _open(path)
        if not book.sheet_names:
            raise InputError(f"{path.name} has no sheets.")
        return _rows(book.get_sheet_by_index(0))
    return read_workbook(path, [name])[0][1]


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
