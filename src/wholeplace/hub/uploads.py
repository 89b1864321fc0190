"""Loading one file given by a person: a registered published file, or a council's own upload.

A file whose SHA-256 matches a registered source is loaded as that source (same provenance as
``wholeplace load``). Any other file is an upload: read with the ``upload`` reader (or another
named loader), recorded under ``upload:<file stem>`` unless a source id is given. Loading the same
bytes twice changes nothing; loading a newer release of the same source id supersedes the older
one, whose values stay queryable as published.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from wholeplace.errors import InputError
from wholeplace.hub import registry as reg
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.load import LoadResult, apply_batch, reader_options, source_info
from wholeplace.hub.loaders import LOADER_VERSION, LOADERS, get_reader
from wholeplace.hub.store import Store

DEFAULT_PUBLISHER = "council upload"


def load_file(
    store: Store,
    path: Path | str,
    *,
    source_id: str | None = None,
    title: str | None = None,
    metadata: Path | str | None = None,
    publisher: str | None = None,
    release: str | None = None,
    released_on: date | str | None = None,
    loader: str | None = None,
) -> LoadResult:
    """Validate ``path`` and load it in one transaction (or raise, leaving the store as it was)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"There is no file at {path}. Check the path and try again.")
    spec = reg.spec_for_file(path)
    if spec is not None and loader in (None, spec.loader):
        info = source_info(spec, path)
        options = reader_options(store, spec.options)
        return apply_batch(store, get_reader(spec.loader)(path, info, options))
    key = loader or "upload"
    if key not in LOADERS:
        raise InputError(f"There is no loader called {key!r}. Use one of: "
                         f"{', '.join(sorted(LOADERS))}.")
    info = upload_info(path, source_id=source_id, title=title, publisher=publisher,
                       release=release, released_on=released_on, loader=key)
    options: dict = {}
    if metadata is not None:
        options["metadata"] = str(metadata)
    return apply_batch(store, get_reader(key)(path, info, reader_options(store, options)))


def upload_info(path: Path, *, source_id: str | None, title: str | None,
                publisher: str | None, release: str | None, released_on: date | str | None,
                loader: str) -> SourceInfo:
    """Provenance of an upload: the real size and SHA-256 of the file, and who gave it."""
    sid = source_id or f"upload:{path.stem}"
    if sid in reg.registry():
        raise InputError(
            f"The source id {sid!r} belongs to the registered source "
            f"{reg.registry()[sid].title!r}, and {path.name} is not that published file. "
            "Choose another source id (for example 'upload:<council>-<topic>').")
    return SourceInfo(
        source_id=sid,
        title=title or f"Upload: {path.name}",
        file_name=path.name,
        sha256=reg.sha256_of(path),
        size=path.stat().st_size,
        loader=loader,
        loader_version=LOADER_VERSION,
        publisher=publisher or DEFAULT_PUBLISHER,
        release=release,
        released_on=_date(released_on),
    )


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"The release date {value!r} is not a date. Write it as YYYY-MM-DD "
                         "(for example 2024-07-15).") from None
