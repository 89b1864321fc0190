"""A council's upload through the web: the form's checks, the load, publishing, and the list of
an organisation's own uploads with who each is shared with.

The load is the CLI's (``wholeplace load FILE --metadata META --org CODE``):
:func:`wholeplace.web.deps.load_upload_for` on its own cursor, so pages are read meanwhile. Every
problem comes back as ``(field, message)`` pairs for the GOV.UK error summary, each message
naming the file, line and column; the JSON twin carries the same problems.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wholeplace.errors import InputError, NotFoundError, Problem, ValidationError
from wholeplace.hub.load import LoadResult
from wholeplace.hub.store import Store
from wholeplace.hub.uploads import publish_dataset
from wholeplace.hub.visibility import PRIVATE
from wholeplace.web.deps import load_upload_for

DATA_SUFFIXES = (".csv", ".xlsx")
METADATA_SUFFIXES = (".yaml", ".yml", ".csv")
#: The first bytes of every .xlsx (a zip archive).
ZIP_MAGIC = b"PK\x03\x04"
TITLE_MAX = 200


@dataclass(frozen=True)
class UploadedFile:
    """One file of the form, as the browser sent it."""

    name: str
    content: bytes


@dataclass(frozen=True)
class UploadRequest:
    """What the form asks for: the files and the optional details."""

    data: UploadedFile | None
    metadata: UploadedFile | None
    title: str = ""
    release: str = ""
    released_on: str = ""


@dataclass
class UploadOutcome:
    """The load's result, or every problem with the field each belongs to."""

    result: LoadResult | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        if self.result is not None:
            return {"loaded": self.result.to_dict(), "visibility": PRIVATE}
        return {"error": "ValidationError" if self.problems else "InputError",
                "message": f"{len(self.errors)} problem(s) found; nothing was loaded. Fix "
                           "them and upload again.",
                "errors": [{"field": f, "message": m} for f, m in self.errors],
                "problems": [p.to_dict() for p in self.problems]}


def safe_name(name: str, fallback: str) -> str:
    """The file's own name, stripped of any folder and of characters a path should not hold."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or fallback
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()[:8]
    return f"{stem}.{suffix}" if suffix else stem


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def check_form(form: UploadRequest) -> list[tuple[str, str]]:
    """Every problem with the form itself, before anything is read or stored."""
    errors: list[tuple[str, str]] = []

    def bad(name: str, message: str) -> None:
        errors.append((name, message))

    if form.data is None or not form.data.name:
        bad("data", "Choose the data file to upload (CSV or XLSX)")
    elif not form.data.content:
        bad("data", f"The data file {form.data.name} is empty. Choose the file "
                    "that holds the values")
    elif _suffix(form.data.name) not in DATA_SUFFIXES:
        bad("data", f"The data file {form.data.name} must be a CSV (.csv) or an "
                    "Excel workbook (.xlsx). Save it in one of those formats")
    elif _suffix(form.data.name) == ".xlsx" and not form.data.content.startswith(ZIP_MAGIC):
        bad("data", f"The data file {form.data.name} is not an Excel workbook "
                    "(its content is not .xlsx). Save it from Excel as .xlsx, or "
                    "export the first sheet as CSV UTF-8")
    elif _suffix(form.data.name) == ".csv" and b"\x00" in form.data.content[:65536]:
        bad("data", f"The data file {form.data.name} is not a text CSV file (it "
                    "holds binary data). Export it as CSV UTF-8")
    if form.metadata is not None and form.metadata.name:
        if _suffix(form.metadata.name) not in METADATA_SUFFIXES:
            bad("metadata", f"The metadata file {form.metadata.name} must be YAML "
                            "(.yaml) or CSV (.csv). See the guidance on this page")
        elif b"\x00" in form.metadata.content[:65536]:
            bad("metadata", f"The metadata file {form.metadata.name} is not a "
                            "text file. Save it as YAML or CSV UTF-8")
    if len(form.title) > TITLE_MAX:
        bad("title", f"The title must be {TITLE_MAX} characters or fewer")
    if form.released_on:
        try:
            date.fromisoformat(form.released_on)
        except ValueError:
            bad("released_on", "Enter the release date as YYYY-MM-DD, for example "
                               "2024-07-15")
    return errors


def _field_of(problem: Problem, names: dict[str, str]) -> str:
    return names.get(problem.file, "data")


def load_upload(store: Store, form: UploadRequest, org_code: str,
                publisher: str) -> UploadOutcome:
    """Check the form, then load the files private to ``org_code``; nothing is stored unless
    every check passes (the load is one transaction)."""
    errors = check_form(form)
    if errors:
        return UploadOutcome(errors=errors)
    assert form.data is not None
    with tempfile.TemporaryDirectory(prefix="wholeplace-upload-") as folder:
        data_path = Path(folder) / safe_name(form.data.name, "upload")
        data_path.write_bytes(form.data.content)
        meta_path = None
        names = {data_path.name: "data"}
        if form.metadata is not None and form.metadata.name:
            meta_name = safe_name(form.metadata.name, "metadata")
            if meta_name == data_path.name:
                meta_name = f"metadata-{meta_name}"
            meta_path = Path(folder) / meta_name
            meta_path.write_bytes(form.metadata.content)
            names[meta_path.name] = "metadata"
        try:
            result = load_upload_for(
                store, data_path, meta_path, org_code, title=form.title.strip() or None,
                publisher=publisher, release=form.release.strip() or None,
                released_on=form.released_on or None)
        except ValidationError as exc:
            problems = [_relative(p, folder) for p in exc.problems]
            return UploadOutcome(errors=[(_field_of(p, names), str(p)) for p in problems],
                                 problems=problems)
        except InputError as exc:
            return UploadOutcome(errors=[("data", str(exc).replace(folder + "/", ""))])
    return UploadOutcome(result=result)


def _relative(problem: Problem, folder: str) -> Problem:
    """A problem naming the file as the person called it, not the server's temporary path."""
    name = Path(problem.file).name if problem.file.startswith(folder) else problem.file
    return Problem(name, problem.line, problem.column,
                   problem.message.replace(folder + "/", ""))


def publish(store: Store, dataset_id: int, org_code: str, by: str) -> dict[str, Any]:
    """Publish one of ``org_code``'s private uploads (another's answers as if absent)."""
    from wholeplace.errors import ConfigError

    if store.read_only:
        raise ConfigError("The data hub is open read-only, so nothing can be published here. "
                          "Set WHOLEPLACE_HUB_WRITABLE=1 and restart the web app, or run "
                          "'wholeplace publish ID --org CODE --by NAME'.")
    from wholeplace.web.access.viewer import SHARED

    writer = Store(store.con.cursor(), store.path, read_only=False)
    try:
        return publish_dataset(writer, dataset_id, by=by, org_code=org_code)
    finally:
        writer.close()
        SHARED.hub_changed()


def dataset_owner(store: Store, dataset_id: int) -> dict[str, Any] | None:
    """Owner and visibility of a dataset the store's reader may see (None: no such dataset)."""
    return store.row("SELECT dataset_id, owner_org, visibility FROM visible_datasets "
                     "WHERE dataset_id = ?", [int(dataset_id)])


_OWN_SQL = """
SELECT dataset_id, source_id, title, file_name, file_size, release, released_on, loaded_at,
       row_count, superseded_by, visibility, published_at, published_by
FROM visible_datasets WHERE owner_org = ? ORDER BY dataset_id DESC"""


def own_uploads(store: Store, org_code: str,
                shares: Sequence[tuple[frozenset[str], tuple[str, str]]]) -> list[dict[str, Any]]:
    """The organisation's own uploads, newest first, each with the organisations an agreement
    in force shares it with (by source id or by one of its indicators)."""
    rows = store.rows(_OWN_SQL, [org_code])
    if not rows:
        return []
    held: dict[int, set[str]] = {}
    for r in store.rows("SELECT DISTINCT dataset_id, indicator_id FROM visible_observations "
                        "WHERE list_contains(?::INTEGER[], dataset_id)",
                        [[r["dataset_id"] for r in rows]]):
        held.setdefault(r["dataset_id"], set()).add(r["indicator_id"])
    for row in rows:
        row["shared_with"] = sorted({
            code for parties, (kind, ref) in shares
            if (kind == "dataset" and ref == row["source_id"])
            or (kind == "indicator" and ref in held.get(row["dataset_id"], set()))
            for code in parties if code != org_code})
        row["indicators"] = sorted(held.get(row["dataset_id"], set()))
    return rows


def not_found(dataset_id: int | str) -> NotFoundError:
    return NotFoundError(f"There is no dataset {dataset_id}. Your organisation's uploads are "
                         "listed at /uploads.")
