"""Loading one file given by a person: a registered published file, or a council's own upload.

A file whose SHA-256 matches a registered source is loaded as that source (same provenance as
``wholeplace load``). Any other file is an upload: read with the ``upload`` reader (or another
named loader), recorded under ``upload:<publisher>:<file stem>`` unless a source id is given, so
two councils' files of the same name are two sources. Loading the same bytes under the same source
id twice changes nothing; loading a newer release of the same source id (from the same publisher)
supersedes the older one, whose values stay queryable as published. Loaders that replace a whole
reference table (the place register, the LSOA lookup, LSOA deprivation, CIPFA neighbours) read
only the registered published files.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from wholeplace.errors import InputError
from wholeplace.hub import registry as reg
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.load import LoadResult, apply_batch, reader_options, source_info
from wholeplace.hub.loaders import LOADER_VERSION, LOADERS, get_reader
from wholeplace.hub.store import Store

DEFAULT_PUBLISHER = "council upload"
#: Loaders that replace reference tables wholesale: only the registered published file may.
REFERENCE_LOADERS = ("places.register", "places.lsoa_lookup", "imd_lsoa", "cipfa_nn")


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
    options: dict | None = None,
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
    if key in REFERENCE_LOADERS:
        published = [s for s in reg.registry().values() if s.loader == key]
        names = ", ".join(f"{s.path} ({s.id})" for s in published) or "none is registered"
        raise InputError(
            f"{path.name} is not the registered published file for the {key!r} loader (its "
            f"SHA-256 matches no entry of the source registry). That loader replaces a whole "
            f"reference table, so it reads only the published file: {names}. Load that file "
            "(or run 'wholeplace load'); nothing was changed.")
    info = upload_info(path, source_id=source_id, title=title, publisher=publisher,
                       release=release, released_on=released_on, loader=key)
    options = dict(options or {})  # reader options given by the caller, e.g. {'year': 2017}
    if metadata is not None:
        options["metadata"] = str(metadata)
    return apply_batch(store, get_reader(key)(path, info, reader_options(store, options)))


def upload_info(path: Path, *, source_id: str | None, title: str | None,
                publisher: str | None, release: str | None, released_on: date | str | None,
                loader: str) -> SourceInfo:
    """Provenance of an upload: the real size and SHA-256 of the file, and who gave it."""
    sid = source_id or default_source_id(path, publisher)
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


def default_source_id(path: Path, publisher: str | None) -> str:
    """``upload:<publisher, slugified>:<file name without extension>``."""
    slug = re.sub(r"[^a-z0-9]+", "-", (publisher or DEFAULT_PUBLISHER).lower()).strip("-")
    return f"upload:{slug or 'council-upload'}:{path.stem}"


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"The release date {value!r} is not a date. Write it as YYYY-MM-DD "
                         "(for example 2024-07-15).") from None
