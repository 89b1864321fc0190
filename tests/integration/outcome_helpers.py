"""Helpers for the outcome loaders' bad-input tests: workbooks written from real published rows
with one thing broken (a sheet or column taken away, a value changed)."""

from __future__ import annotations

from pathlib import Path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx holding ``sheets`` (name -> rows of cell values)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path
