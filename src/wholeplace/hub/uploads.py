"""Loading one file given by a person: a registered published file, or a council's own upload.

A file whose SHA-256 matches a registered source is loaded as that source (same provenance as
``wholeplace load``). Any other file is an upload: read with the ``upload`` reader (or another
named loader), recorded under ``upload:<publisher>:<file stem>`` unless a source id is given, so
two councils' files of the same name are two sources. Loading the same bytes under the same source
id twice changes nothing; loading a newer release of the same source id (from the same publisher)
supersedes the older one, whose values stay queryable as published. Loaders that replace a whole
reference table (the place register, the LSOA lookup, LSOA deprivation, CIPFA neighbours) read
only the registered published files.

Who sees an upload: ``owner_org`` names the organisation that gives it (a council's GSS code or
a partner's code). An upload with an owner is private to that organisation unless
``public=True``; :func:`publish_dataset` makes it public later, recording who and when. An
upload without an owner is public (an operator loading a file for everyone). Registered
published files are always public.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub import registry as reg
from wholeplace.hub.batch import SourceInfo
from wholeplace.hub.load import (
    LoadResult,
    _supersede,
    apply_batch,
    reader_options,
    source_info,
)
from wholeplace.hub.loaders import LOADER_VERSION, LOADERS, get_reader
from wholeplace.hub.store import Store
from wholeplace.hub.visibility import PRIVATE, PUBLIC, normalise_org_code

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
    owner_org: str | None = None,
    public: bool | None = None,
) -> LoadResult:
    """Validate ``path`` and load it in one transaction (or raise, leaving the store as it was).

    ``owner_org``: the organisation giving an upload; it is private to it unless ``public``.
    """
    path = Path(path)
    owner = _owner(store, owner_org)
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
                       release=release, released_on=released_on, loader=key, owner_org=owner,
                       public=public)
    _check_source_owner(store, info)
    options = dict(options or {})  # reader options given by the caller, e.g. {'year': 2017}
    if metadata is not None:
        options["metadata"] = str(metadata)
    return apply_batch(store, get_reader(key)(path, info, reader_options(store, options)))


def upload_info(path: Path, *, source_id: str | None, title: str | None,
                publisher: str | None, release: str | None, released_on: date | str | None,
                loader: str, owner_org: str | None = None,
                public: bool | None = None) -> SourceInfo:
    """Provenance of an upload: the real size and SHA-256 of the file, and who gave it."""
    sid = source_id or default_source_id(path, publisher or owner_org)
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
        owner_org=owner_org,
        visibility=PRIVATE if owner_org is not None and not public else PUBLIC,
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


def _owner(store: Store, code: str | None) -> str | None:
    """The owning organisation's code, checked: a GSS code must be a council in the register."""
    if code is None:
        return None
    owner = normalise_org_code(code)
    if owner[:1] == "E" and owner[1:].isdigit() and not store.scalar(
            "SELECT count(*) FROM places WHERE gss_code = ?", [owner]):
        raise InputError(f"{owner} is not a council in the place register. Give the GSS code "
                         "of the council the upload belongs to (for example E07000008).")
    return owner


def _check_source_owner(store: Store, info: SourceInfo) -> None:
    """A source id belongs to one owner: another organisation's releases cannot be added to it."""
    owners = {r["owner_org"] for r in store.rows(
        "SELECT DISTINCT owner_org FROM datasets WHERE source_id = ?", [info.source_id])}
    if owners and owners != {info.owner_org}:
        raise InputError(f"The source id {info.source_id!r} is already used for other data. "
                         "Choose another source id (for example 'upload:<council>-<topic>'); "
                         "nothing was changed.")


def publish_dataset(store: Store, dataset_id: int, *, by: str,
                    org_code: str | None = None) -> dict:
    """Make a private upload public, recording who published it and when.

    With ``org_code`` the dataset must belong to that organisation: another organisation's
    dataset answers as if it did not exist. Publishing supersedes the older public releases of
    the same source. Returns the dataset's id, source, visibility and publication details.
    """
    who = (by or "").strip()
    if not who:
        raise InputError("Say who publishes the dataset (a name or account), for the record.")
    row = store.row("SELECT dataset_id, source_id, owner_org, visibility FROM datasets "
                    "WHERE dataset_id = ?", [int(dataset_id)])
    if row is None or (org_code is not None and row["owner_org"] != normalise_org_code(org_code)):
        raise NotFoundError(f"There is no dataset {dataset_id}. Run 'wholeplace datasets' to "
                            "list the loaded datasets.")
    if row["visibility"] == PUBLIC:
        raise InputError(f"Dataset {dataset_id} is already public; nothing was changed.")
    with store.transaction():
        store.execute("UPDATE datasets SET visibility = 'public', published_at = ?, "
                      "published_by = ? WHERE dataset_id = ?",
                      [datetime.now().replace(microsecond=0), who, int(dataset_id)])
        notes = _supersede(store, row["source_id"], int(dataset_id))
    found = store.row("SELECT dataset_id, source_id, owner_org, visibility, published_at, "
                      "published_by FROM datasets WHERE dataset_id = ?", [int(dataset_id)])
    assert found is not None
    return {**found, "messages": notes}
