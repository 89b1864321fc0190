"""Loading: read a file with its loader, validate everything, then write in one transaction.

A load either changes the store completely or not at all. Loading a file whose content (SHA-256)
is already in the store under the same source id (read by the same loader version) changes
nothing. Loading a newer release of a source supersedes the older one, whose values stay
queryable "as published on" an earlier date; which release is newest follows the one release
order of :data:`wholeplace.hub.schema.NEWEST_FIRST_SQL`, whatever order the files are loaded in.

``load_registered`` first checks every selected published file (present, size, SHA-256) and
refuses to start if any is missing or changed; then each file is loaded in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from wholeplace.errors import SourceError, ValidationError, WholeplaceError
from wholeplace.hub import registry as reg
from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import (
    INDICATOR_COLUMNS,
    Indicator,
    builtin_catalogue,
    per_head_indicator,
)
from wholeplace.hub.derived import (
    MAX_POPULATION_GAP_YEARS,
    PCT_NRE_DELETE_SQL,
    PCT_NRE_SQL,
    PER_HEAD_DELETE_SQL,
    PER_HEAD_SQL,
)
from wholeplace.hub.loaders import LOADER_VERSION, get_reader
from wholeplace.hub.read_worker import ReadAhead
from wholeplace.hub.schema import EFFECTIVE_ON_SQL, NEWEST_FIRST_SQL, REPLACEABLE
from wholeplace.hub.store import Store
from wholeplace.hub.validate import validate_batch


@dataclass
class LoadResult:
    source_id: str
    file_name: str
    status: str  # "loaded" or "unchanged"
    dataset_id: int
    rows: int = 0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def source_info(spec: reg.SourceSpec, path: Path, copy: reg.KnownCopy | None = None
                ) -> SourceInfo:
    """Provenance of a registered file; ``copy`` is the known version that was read (by default
    the bundle's), and its hash and size are what the dataset records."""
    copy = copy or spec.known_copies()[0]
    notes = spec.notes or ""
    if copy.sha256 != spec.sha256 or spec.resaved:
        notes = (notes + " " if notes else "") + f"Read from the {copy.description}."
    return SourceInfo(
        source_id=spec.id, title=spec.title, file_name=spec.path,
        sha256=copy.sha256, size=copy.size, loader=spec.loader, loader_version=LOADER_VERSION,
        publisher=spec.publisher, licence=spec.licence,
        url=str(spec.url) if spec.url else None,
        landing_page=str(spec.landing_page) if spec.landing_page else None,
        release=spec.release, released_on=spec.released_on, notes=notes or None,
    )


def reader_options(store: Store, options: dict) -> dict:
    """A loader's options plus the reference lookups readers may need (readers stay pure)."""
    return {**options, **reference_lookups(store)}


def reference_lookups(store: Store) -> dict:
    """The place register's lookups a reader may need (E-codes, tiers, names, re-issued codes).

    They change only when a load writes the ``places`` or ``place_successors`` table
    (:data:`REFERENCE_TABLES`), which is what lets :func:`load_registered` read later files in
    a worker process while it writes earlier ones."""
    out: dict = {}
    out["ecode_to_gss"] = {
        r["dluhc_ecode"]: r["gss_code"]
        for r in store.rows("SELECT dluhc_ecode, gss_code FROM places "
                            "WHERE dluhc_ecode IS NOT NULL")
    }
    out["register_codes"] = {r["gss_code"]: r["tier"]
                             for r in store.rows("SELECT gss_code, tier FROM places")}
    # names for readers of files that identify councils by name or another numbering (DfE)
    out["register_places"] = {
        r["gss_code"]: (r["name"], r["tier"], bool(r["current"]))
        for r in store.rows("SELECT gss_code, name, tier, current FROM places")
    }
    # former codes of the same authority (re-issued), read as today's code when stored
    out["recoded_codes"] = {
        r["old_code"]: r["new_code"]
        for r in store.rows("SELECT old_code, new_code FROM place_successors "
                            "WHERE relation = 'recoded'")
    }
    return out


#: The tables whose rows :func:`reference_lookups` reads.
REFERENCE_TABLES = frozenset({"places", "place_successors"})


def read_registered(spec: reg.SourceSpec, sources: Path, store: Store,
                    path: Path | None = None, copy: reg.KnownCopy | None = None) -> LoadBatch:
    """Read a registered source (``path`` and ``copy``: the file already verified by
    :func:`reg.locate` and :func:`reg.verify`)."""
    if path is None:
        path, copy = reg.locate_copy(spec, sources)
    return get_reader(spec.loader)(path, source_info(spec, path, copy),
                                   reader_options(store, spec.options))


def load_registered(
    store: Store,
    sources: Path,
    only: Iterable[str] | None = None,
    progress: Callable[[reg.SourceSpec], None] | None = None,
) -> list[LoadResult]:
    """Load every registered source (or those in ``only``), place register first.

    Every selected file is verified before anything is loaded: if any is missing or changed,
    a :class:`SourceError` lists all of them and the store is untouched. Each file is then
    loaded all-or-nothing in its own transaction. If one is refused, the error raised carries
    ``results``: what was loaded (or found unchanged) before it, which stays loaded.
    """
    specs = _selected(only)
    paths = _verify_all(specs, sources)
    results: list[LoadResult] = []
    with _Prefetcher(specs, paths, store) as ahead:
        for i, spec in enumerate(specs):
            if progress:
                progress(spec)
            path, copy = paths[spec.id]
            existing = _existing_dataset(store, spec.id, copy.sha256, LOADER_VERSION)
            if existing is not None:
                results.append(LoadResult(spec.id, spec.path, "unchanged", existing))
                continue
            try:
                batch = ahead.take(i)
                if batch is None:
                    batch = read_registered(spec, sources, store, path, copy)
                reference = bool(REFERENCE_TABLES & batch.tables.keys())
                if not reference:
                    ahead.fill(i + 1)  # the lookups stay as they are: read ahead meanwhile
                results.append(apply_batch(store, batch, derive=False))
                if reference:
                    ahead.changed()
            except WholeplaceError as exc:
                _derive_once(store, results)
                exc.results = list(results)  # type: ignore[attr-defined]
                done = ", ".join(f"{r.source_id} ({r.status}, dataset {r.dataset_id})"
                                 for r in results) or "nothing"
                exc.add_note(f"Loaded before {spec.id} was refused (and kept): {done}. "
                             "Sources after it were not tried.")
                raise
    _derive_once(store, results)
    return results


#: How many files :func:`load_registered` reads ahead in its worker process (0: none). The
#: environment variable ``WHOLEPLACE_LOAD_READ_AHEAD`` overrides it.
READ_AHEAD = 2


class _Prefetcher:
    """Reads the next files in a worker process (:mod:`wholeplace.hub.read_worker`) while the
    caller writes the current one.

    Each read is given the register lookups as they are when it is submitted, and is used only
    if they are the same when the file's turn comes (else, or if the worker failed in any way,
    the file is read again in this process, so what is loaded, and any refusal, is exactly what
    reading in order gives). Files already loaded are not read ahead."""

    def __init__(self, specs: list[reg.SourceSpec],
                 paths: dict[str, tuple[Path, reg.KnownCopy]], store: Store) -> None:
        import os

        self.specs, self.paths, self.store = specs, paths, store
        self.depth = int(os.environ.get("WHOLEPLACE_LOAD_READ_AHEAD", READ_AHEAD))
        self.pending: dict[int, dict] = {}
        self.worker: ReadAhead | None = None
        self._lookups: dict | None = None

    def lookups(self) -> dict:
        """The register lookups now (remembered until :meth:`changed`)."""
        if self._lookups is None:
            self._lookups = reference_lookups(self.store)
        return self._lookups

    def changed(self) -> None:
        """A load wrote a table the lookups come from."""
        self._lookups = None

    def __enter__(self) -> _Prefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            self.worker.close()

    def fill(self, start: int) -> None:
        """Submit reads of the files from ``start`` on (not yet loaded, not yet submitted), up
        to the read-ahead depth."""
        todo: list[int] = []
        for j in range(start, len(self.specs)):
            if len(todo) + len(self.pending) >= self.depth:
                break
            spec = self.specs[j]
            copy = self.paths[spec.id][1]
            if j not in self.pending and _existing_dataset(
                    self.store, spec.id, copy.sha256, LOADER_VERSION) is None:
                todo.append(j)
        if not todo:
            return
        if self.worker is None:
            self.worker = ReadAhead()
        lookups = self.lookups()
        for j in todo:
            spec = self.specs[j]
            path, copy = self.paths[spec.id]
            if not self.worker.submit(j, spec.loader, path, source_info(spec, path, copy),
                                      {**spec.options, **lookups}):
                return
            self.pending[j] = lookups

    def take(self, i: int) -> LoadBatch | None:
        """The file ``i`` read ahead, if it was and the lookups it was read with still hold;
        else None (read it here)."""
        lookups = self.pending.pop(i, None)
        if lookups is None or self.worker is None:
            return None
        batch = self.worker.take(i)
        if not isinstance(batch, LoadBatch) or lookups != self.lookups():
            return None
        return batch


def _derive_once(store: Store, results: list[LoadResult]) -> None:
    """The derived values, recomputed once after a run of loads (if anything was loaded)."""
    if any(r.status == "loaded" for r in results):
        with store.transaction():
            refresh_derived(store)
            cluster_observations(store)


def cluster_observations(store: Store) -> None:
    """Rewrite the observations in area order (then indicator, period, dataset).

    Nothing changes but where the rows lie: a page reads one council's values, and DuckDB skips
    every block of rows whose range of area codes cannot hold it, so a council page reads a few
    blocks instead of the whole table (about three times faster). Run once after a run of loads.
    """
    limit = store.scalar("SELECT current_setting('memory_limit')")
    store.execute(f"SET memory_limit = '{CLUSTER_MEMORY}'")  # the sort spills to disk beyond it
    try:
        store.execute("CREATE TEMP TABLE _clustered AS SELECT * FROM observations "
                      "ORDER BY area_code, indicator_id, period_start, dataset_id")
        store.execute("DELETE FROM observations")
        store.execute("INSERT INTO observations SELECT * FROM _clustered")
    finally:
        store.execute("DROP TABLE IF EXISTS _clustered")
        store.execute(f"SET memory_limit = '{limit}'")


#: DuckDB's memory limit while the observations are sorted (keeps the load's peak memory down).
CLUSTER_MEMORY = "256MB"


def _selected(only: Iterable[str] | None) -> list[reg.SourceSpec]:
    """The registered sources to load, in loading order; every unknown id is an error."""
    wanted = set(only) if only else None
    if wanted is not None:
        unknown = sorted(wanted - set(reg.registry()))
        if len(unknown) == 1:
            reg.get_spec(unknown[0])  # raises a SourceError naming it
        elif unknown:
            raise SourceError(f"There are no registered sources {', '.join(map(repr, unknown))}."
                              " Run 'wholeplace datasets --registry' to list them.")
    return [s for s in reg.registry().values() if wanted is None or s.id in wanted]


def _verify_all(specs: list[reg.SourceSpec], sources: Path
                ) -> dict[str, tuple[Path, reg.KnownCopy]]:
    """Each spec's verified file and which known copy it is; or one SourceError naming every
    missing or changed file."""
    paths, errors = {}, []
    for spec in specs:
        try:
            paths[spec.id] = reg.locate_copy(spec, sources)
        except SourceError as exc:
            errors.append(f"  - {spec.id}: {exc}")
    if errors:
        raise SourceError(
            f"{len(errors)} of the {len(specs)} source file(s) to load cannot be used, so "
            "nothing was loaded. Put the published files in place and load again:\n"
            + "\n".join(errors))
    return paths


def _existing_dataset(store: Store, source_id: str, sha256: str,
                      loader_version: str) -> int | None:
    """The dataset already holding this file, under this source id, as read by this loader
    version, if any.

    The same bytes under another source id are a different dataset. A file read by an older
    loader version is read again: the new dataset supersedes the old one (same source), whose
    values stay queryable.
    """
    return store.scalar(
        "SELECT dataset_id FROM datasets WHERE source_id = ? AND file_sha256 = ? "
        "AND loader_version = ? ORDER BY dataset_id LIMIT 1",
        [source_id, sha256, loader_version],
    )


def known_indicators(store: Store) -> dict[str, Indicator]:
    """Indicators in the store, falling back to the built-in catalogue."""
    found = dict(builtin_catalogue())
    for r in store.rows(f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicators"):
        r.pop("is_money")
        r["id"] = r.pop("indicator_id")
        found[r["id"]] = Indicator(**r)
    return found


def apply_batch(store: Store, batch: LoadBatch, *, derive: bool = True) -> LoadResult:
    """Validate ``batch`` against the store, then write it in one transaction.

    ``derive=False`` leaves the derived per-head and % of NRE values to the caller (one
    :func:`refresh_derived` after many files, as :func:`load_registered` does).
    """
    src = batch.source
    existing = _existing_dataset(store, src.source_id, src.sha256, src.loader_version)
    if existing is not None:
        return LoadResult(src.source_id, src.file_name, "unchanged", existing,
                          messages=[(f"This file is already loaded as dataset {existing}; "
                                    "nothing changed.")])
    indicators = known_indicators(store)
    for ind in batch.indicators:
        indicators[ind.id] = ind
    arrow = batch.observations.to_arrow()
    store.register("_batch_obs", arrow)
    try:
        # the reader's problems and the store checks on the rows it could read, all at once
        problems = list(batch.problems.problems if batch.problems is not None else [])
        problems += validate_batch(store, batch, indicators, "_batch_obs")
        if problems:
            raise ValidationError(problems)
        with store.transaction():
            dataset_id, notes = _write(store, batch, indicators, derive)
    finally:
        store.unregister("_batch_obs")
    return LoadResult(src.source_id, src.file_name, "loaded", dataset_id, batch.row_count,
                      messages=list(batch.messages) + notes)


def _write(store: Store, batch: LoadBatch, indicators: dict[str, Indicator],
           derive: bool = True) -> tuple[int, list[str]]:
    """Write the batch; the dataset id and what the load did to other releases."""
    src = batch.source
    dataset_id = (store.scalar("SELECT max(dataset_id) FROM datasets") or 0) + 1
    store.execute(
        "INSERT INTO datasets (dataset_id, source_id, title, publisher, licence, url, "
        "landing_page, release, released_on, file_name, file_sha256, file_size, loader, "
        "loader_version, loaded_at, row_count, superseded_by, notes, owner_org, visibility) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
        [dataset_id, src.source_id, src.title, src.publisher, src.licence, src.url,
         src.landing_page, src.release, src.released_on, src.file_name, src.sha256, src.size,
         src.loader, src.loader_version, datetime.now().replace(microsecond=0),
         batch.row_count, src.notes, src.owner_org, src.visibility],
    )
    notes = _supersede(store, src.source_id, dataset_id)
    used = batch.observations.indicator_ids()
    used |= {f"{i}.pct_nre" for i in used if f"{i}.pct_nre" in indicators}  # derived twins
    declared = [i for i in batch.indicators] + [indicators[i] for i in used if i in indicators]
    if src.visibility != "public":
        # A private upload adds its new indicators but never redefines one the hub already
        # has: that definition is what everyone else reads.
        have = {r[0] for r in store.execute("SELECT indicator_id FROM indicators").fetchall()}
        declared = [i for i in declared if i.id not in have]
    _upsert_indicators(store, declared)
    for name, table in batch.tables.items():
        if name not in REPLACEABLE:
            raise ValueError(f"loader tried to replace table {name!r}")
        # Table and scope column names come from loaders' code, never from input files.
        where = " AND ".join(f'"{col}" = ?' for col in table.scope) or "TRUE"
        store.execute(f'DELETE FROM "{name}" WHERE {where}', list(table.scope.values()))
        if table.rows:
            store.register("_batch_table", table.to_arrow())
            try:
                cols = ", ".join(table.columns)
                store.execute(f'INSERT INTO "{name}" ({cols}, dataset_id) '
                              f"SELECT {cols}, ? FROM _batch_table", [dataset_id])
            finally:
                store.unregister("_batch_table")
    if len(batch.observations):
        store.execute(
            """
            INSERT INTO observations
            SELECT b.indicator_id, coalesce(s.new_code, b.area_code), b.period, b.period_type,
                   b.period_start, b.period_end, b.value, b.numerator, b.denominator, b.status,
                   b.note, b.source_area_code, ?
            FROM _batch_obs b
            LEFT JOIN place_successors s ON s.old_code = b.area_code AND s.relation = 'recoded'
            """,
            [dataset_id],
        )
    if derive:
        refresh_derived(store, dataset_id, used)
    return dataset_id, notes


def _supersede(store: Store, source_id: str, dataset_id: int) -> list[str]:
    """Mark older live releases of the same source as superseded by the newest release.

    Newest by the one release order (:data:`NEWEST_FIRST_SQL`), among the releases of the same
    visibility as ``dataset_id``: a private new release supersedes the public one only when it is
    published (:func:`wholeplace.hub.uploads.publish_dataset` runs this again), so until then
    the public keeps seeing the published release and the owner sees the newest of both.
    Returns what happened, for the load's messages: the releases ``dataset_id`` superseded, or
    that it was itself superseded on arrival (an older release loaded after a newer one).
    """
    live = store.rows(
        f"SELECT dataset_id, publisher, release, {EFFECTIVE_ON_SQL} AS effective_on "
        f"FROM datasets WHERE source_id = ? AND superseded_by IS NULL AND visibility = "
        f"(SELECT visibility FROM datasets WHERE dataset_id = ?) "
        f"ORDER BY {NEWEST_FIRST_SQL}", [source_id, dataset_id])
    if len(live) < 2:
        return []
    newest, older = live[0], live[1:]
    store.execute(
        "UPDATE datasets SET superseded_by = ? WHERE list_contains(?::INTEGER[], dataset_id)",
        [newest["dataset_id"], [r["dataset_id"] for r in older]])
    if newest["dataset_id"] == dataset_id:
        return [f"Supersedes dataset {r['dataset_id']} (publisher {r['publisher']}, release "
                f"{r['release'] or 'not named'})." for r in older]
    mine = next(r for r in older if r["dataset_id"] == dataset_id)
    return [(f"Superseded on arrival by dataset {newest['dataset_id']} (publisher "
            f"{newest['publisher']}, release {newest['release'] or 'not named'}, effective "
            f"{newest['effective_on']}), a newer release of {source_id}: this release "
            f"(effective {mine['effective_on']}) is kept and queryable as published on "
            f"{mine['effective_on']}, but current values still come from dataset "
            f"{newest['dataset_id']}.")]


#: The Arrow types of the indicators table's columns, for one bulk insert per load.
_INDICATOR_TYPES = {"value_min": "float64", "value_max": "float64", "is_money": "bool_",
                    "per_head_twin": "bool_"}


def _upsert_indicators(store: Store, inds: list[Indicator]) -> None:
    """Replace the catalogue rows of ``inds`` (the last definition of an id wins): one DELETE
    and one bulk INSERT from an Arrow table, whatever the number of indicators."""
    import pyarrow as pa

    seen: dict[str, Indicator] = {i.id: i for i in inds}
    if not seen:
        return
    rows = [ind.row() for ind in seen.values()]
    table = pa.table({name: pa.array([r[n] for r in rows],
                                     type=getattr(pa, _INDICATOR_TYPES.get(name, "string"))())
                      for n, name in enumerate(INDICATOR_COLUMNS)})
    store.execute("DELETE FROM indicators WHERE list_contains(?, indicator_id)", [list(seen)])
    store.register("_batch_indicators", table)
    try:
        cols = ", ".join(INDICATOR_COLUMNS)
        store.execute(f"INSERT INTO indicators ({cols}) SELECT {cols} FROM _batch_indicators")
    finally:
        store.unregister("_batch_indicators")


#: Indicators whose values every derived value depends on: a batch holding one of them
#: recomputes everything derived.
DERIVED_INPUTS = frozenset({"population.all_ages", "rs.net_revenue_expenditure"})


def refresh_derived(store: Store, dataset_id: int | None = None,
                    indicator_ids: set[str] | None = None) -> None:
    """Recompute every derived per-head and % of NRE value from the money values and population
    in store; or, for one new dataset (``dataset_id``) that holds none of their inputs
    (:data:`DERIVED_INPUTS`, or a base of a % of NRE twin), only that dataset's per-head values
    (an upload then rewrites its own rows, not the whole hub's)."""
    if dataset_id is not None and indicator_ids is not None and not (
            indicator_ids & DERIVED_INPUTS
            or any(store.scalar("SELECT count(*) FROM indicators WHERE indicator_id = ?",
                                [f"{i}.pct_nre"]) for i in indicator_ids)):
        _per_head_twins(store)
        store.execute(PER_HEAD_SQL, [MAX_POPULATION_GAP_YEARS, dataset_id])
        return
    twins = _per_head_twins(store)
    store.execute(PER_HEAD_DELETE_SQL)
    if twins:
        store.execute(PER_HEAD_SQL, [MAX_POPULATION_GAP_YEARS, None])
    store.execute(PCT_NRE_DELETE_SQL)
    store.execute(PCT_NRE_SQL)


def _per_head_twins(store: Store) -> list[Indicator]:
    """The per-head twin of every money indicator, upserted into the catalogue."""
    money = store.rows(
        f"SELECT {', '.join(INDICATOR_COLUMNS)} FROM indicators "
        "WHERE is_money AND per_head_of IS NULL AND unit <> 'gbp_per_head' AND per_head_twin")
    twins = []
    for r in money:
        r.pop("is_money")
        r["id"] = r.pop("indicator_id")
        twins.append(per_head_indicator(Indicator(**r)))
    _upsert_indicators(store, twins)
    return twins

