"""Read queries over the hub for the CLI and the web app: a Store in, plain dicts and lists out.

No formatting happens here. Every query reads the relations that follow the store's viewer
(``visible_datasets``, ``visible_observations``, ``current_observations``,
``visible_indicators``; see :mod:`wholeplace.hub.visibility`), never the base tables, so a
dataset the reader may not see reads as if it did not exist. Missing values come back as
``None`` with their status, never 0.
Area codes that were merely re-issued (``recoded``) are read as today's code.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from wholeplace.errors import NotFoundError
from wholeplace.hub.schema import EFFECTIVE_ON_SQL, NEWEST_FIRST_SQL
from wholeplace.hub.store import Store

DATASET_COLUMNS = (
    "dataset_id", "source_id", "title", "publisher", "licence", "url", "landing_page", "release",
    "released_on", "file_name", "file_sha256", "file_size", "loaded_at", "loader",
    "loader_version", "row_count", "superseded_by", "notes", "owner_org", "visibility",
    "published_at", "published_by",
)

_DATASETS_SQL = f"""
SELECT {', '.join('d.' + c for c in DATASET_COLUMNS)},
       coalesce(c.indicators, 0) AS indicators,
       coalesce(c.areas, 0) AS areas,
       coalesce(c.periods, 0) AS periods,
       coalesce(c.observations, 0) AS observations
FROM visible_datasets d
LEFT JOIN (
    SELECT dataset_id, count(DISTINCT indicator_id) AS indicators,
           count(DISTINCT area_code) AS areas, count(DISTINCT period) AS periods,
           count(*) AS observations
    FROM visible_observations WHERE status <> 'derived' GROUP BY dataset_id
) c USING (dataset_id)
"""

_INDICATORS_SQL = """
SELECT i.*, coalesce(c.areas, 0) AS areas, coalesce(c.periods, 0) AS periods,
       c.latest_period
FROM visible_indicators i
LEFT JOIN (
    SELECT indicator_id, count(DISTINCT area_code) AS areas, count(DISTINCT period) AS periods,
           arg_max(period, period_end) AS latest_period
    FROM current_observations GROUP BY indicator_id
) c USING (indicator_id)
"""

#: Columns of an observation with its indicator and its dataset's provenance.
_OBSERVATION_SELECT = """
SELECT o.indicator_id, i.title, i.unit, i.polarity, i.kind, i.theme, i.per_head_of,
       o.area_code, o.source_area_code, o.period, o.period_type, o.period_start, o.period_end,
       o.value, o.numerator, o.denominator, o.status, o.note,
       o.dataset_id, d.source_id, d.title AS dataset_title, d.publisher, d.licence,
       d.release, d.released_on, d.url, d.landing_page
"""

#: Every current observation of one area: only the observation's own columns (the indicator's
#: and the dataset's come from :func:`_catalogue`, read once per data version).
_AREA_CURRENT_SQL = """
SELECT o.indicator_id, o.area_code, o.source_area_code, o.period, o.period_type,
       o.period_start, o.period_end, o.value, o.numerator, o.denominator, o.status, o.note,
       o.dataset_id, o.source_id, o.released_on
FROM current_observations o
WHERE o.area_code = ?
"""

_INDICATOR_META = ("title", "unit", "polarity", "kind", "theme", "per_head_of")
_DATASET_META = ("title", "publisher", "licence", "release", "url", "landing_page")

#: The catalogues last read, by hub file, reader's scope and a fingerprint of exactly the
#: columns cached (so an edited title is read afresh): indicator metadata and each visible
#: dataset's provenance.
_CATALOGUES: OrderedDict[tuple, tuple[dict[str, tuple], dict[int, tuple]]] = OrderedDict()
_CATALOGUES_LOCK = threading.Lock()
_MAX_CATALOGUES = 8


_CATALOGUE_FINGERPRINT_SQL = f"""
SELECT (SELECT count(*) FROM indicators),
       (SELECT sum(hash(indicator_id, {', '.join(_INDICATOR_META)})) FROM indicators),
       (SELECT count(*) FROM visible_datasets),
       (SELECT sum(hash(dataset_id, {', '.join(_DATASET_META)})) FROM visible_datasets)
"""


def _catalogue(store: Store) -> tuple[dict[str, tuple], dict[int, tuple]]:
    """Every indicator's metadata and every visible dataset's provenance, by id; cached per
    (file, scope, fingerprint) for a store on a file (an in-memory store reads them)."""
    return store.remember("catalogue", lambda: _read_catalogue(store))


def _read_catalogue(store: Store) -> tuple[dict[str, tuple], dict[int, tuple]]:
    key = None
    if store.path is not None:
        key = (str(store.path), store.scope_key, *store.execute(_CATALOGUE_FINGERPRINT_SQL)
               .fetchone())
    if key is not None:
        with _CATALOGUES_LOCK:
            if key in _CATALOGUES:
                _CATALOGUES.move_to_end(key)
                return _CATALOGUES[key]
    indicators = {r[0]: r[1:] for r in store.execute(
        f"SELECT indicator_id, {', '.join(_INDICATOR_META)} FROM indicators").fetchall()}
    datasets = {r[0]: r[1:] for r in store.execute(
        f"SELECT dataset_id, {', '.join(_DATASET_META)} FROM visible_datasets").fetchall()}
    found = (indicators, datasets)
    if key is not None:
        with _CATALOGUES_LOCK:
            _CATALOGUES[key] = found
            while len(_CATALOGUES) > _MAX_CATALOGUES:
                _CATALOGUES.popitem(last=False)
    return found


_SERIES_SQL = _OBSERVATION_SELECT + """
FROM current_observations o
JOIN indicators i USING (indicator_id)
JOIN visible_datasets d ON d.dataset_id = o.dataset_id
WHERE o.indicator_id = ? AND o.area_code = ?
ORDER BY o.period_start, o.period_end
"""

# For each source, the newest dataset by the one release order (schema.NEWEST_FIRST_SQL: the
# release date, or the load date when it is unknown) effective on or before the date; where two
# sources give the same cell the newer release wins, as in current_observations.
_AS_PUBLISHED_SQL = _OBSERVATION_SELECT + f"""
FROM visible_observations o
JOIN (
    SELECT *, {EFFECTIVE_ON_SQL} AS effective_on
    FROM visible_datasets
    WHERE {EFFECTIVE_ON_SQL} <= ?
    QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY {NEWEST_FIRST_SQL}) = 1
) d ON d.dataset_id = o.dataset_id
JOIN indicators i ON i.indicator_id = o.indicator_id
"""

_AS_PUBLISHED_TAIL = """
QUALIFY row_number() OVER (PARTITION BY o.indicator_id, o.area_code, o.period
                           ORDER BY d.effective_on DESC, d.dataset_id DESC) = 1
ORDER BY o.indicator_id, o.area_code, o.period_start, o.period_end
"""

#: The only filters observations_as_published may add (identifiers are never built from input).
_FILTERS = {"indicator_id": "o.indicator_id = ?", "area_code": "o.area_code = ?"}


def datasets(store: Store) -> list[dict]:
    """Every loaded dataset with its provenance and how many indicators, areas, periods it has."""
    return store.rows(_DATASETS_SQL + " ORDER BY d.dataset_id")


def dataset(store: Store, dataset_id: int) -> dict:
    found = store.row(_DATASETS_SQL + " WHERE d.dataset_id = ?", [int(dataset_id)])
    if found is None:
        raise NotFoundError(f"There is no dataset {dataset_id}. Run 'wholeplace datasets' to "
                            "list the loaded datasets.")
    return found


def indicators(store: Store) -> list[dict]:
    """Every indicator in the hub, with how many areas and periods have current values."""
    return store.rows(_INDICATORS_SQL + " ORDER BY i.theme NULLS LAST, i.title, i.indicator_id")


def indicator(store: Store, indicator_id: str) -> dict:
    found = store.row(_INDICATORS_SQL + " WHERE i.indicator_id = ?", [indicator_id])
    if found is None:
        raise NotFoundError(f"There is no indicator {indicator_id!r}. Run 'wholeplace "
                            "indicators' to list them.")
    return found


def indicators_by_id(store: Store, indicator_ids: list[str] | None) -> dict[str, dict]:
    """The catalogue rows (id, title, unit, polarity, kind, theme) of the given ids, in the order
    given, without repeats; NotFoundError naming every unknown id. No ids gives {}."""
    if not indicator_ids:
        return {}
    ids = list(dict.fromkeys(i.strip() for i in indicator_ids if i and i.strip()))
    found = {r["indicator_id"]: r for r in store.rows(
        "SELECT indicator_id, title, unit, polarity, kind, theme FROM visible_indicators "
        "WHERE list_contains(?, indicator_id)", [ids])}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise NotFoundError(f"Unknown indicator(s): {', '.join(unknown)}. Run 'wholeplace "
                            "indicators' to list the indicator ids.")
    return {i: found[i] for i in ids}


def recoded_to(store: Store, code: str) -> dict | None:
    """The first (by new code) ``recoded`` rule for a former code: {new_code, note}, or None."""
    if store.memo is None:
        return store.row("SELECT new_code, note FROM place_successors WHERE old_code = ? "
                         "AND relation = 'recoded' ORDER BY new_code LIMIT 1", [code])
    found = store.remember("recoded", lambda: _recoded_rules(store)).get(code)
    return dict(found) if found is not None else None


def _recoded_rules(store: Store) -> dict[str, dict]:
    """Every ``recoded`` rule, the first (by new code) for each former code."""
    rules: dict[str, dict] = {}
    for r in store.rows("SELECT old_code, new_code, note FROM place_successors "
                        "WHERE relation = 'recoded' ORDER BY old_code, new_code"):
        rules.setdefault(r.pop("old_code"), r)
    return rules


def resolve_area(store: Store, area_code: str) -> str:
    """Today's code for ``area_code`` when it was merely re-issued; otherwise the code itself."""
    code = area_code.strip().upper()
    rule = recoded_to(store, code)
    return (rule["new_code"] if rule else None) or code


def area_current(store: Store, area_code: str) -> list[dict]:
    """Every current observation of exactly ``area_code`` (no recoding), in no order.

    A council page reads its latest values, its Band D bill and its budget from these: a store
    with a ``memo`` (one request's snapshot) reads them once, not once for each. The rows are
    shared by every caller in the request: read them, never change them.
    """
    return store.remember(f"area_current:{area_code}",
                          lambda: store.rows(_AREA_CURRENT_SQL, [area_code]))


def _latest_by_indicator(rows: list[dict]) -> list[dict]:
    """Each indicator's row with the latest period (by its end, then its start)."""
    best: dict[str, dict] = {}
    for row in rows:
        held = best.get(row["indicator_id"])
        if held is None or ((row["period_end"], row["period_start"])
                            > (held["period_end"], held["period_start"])):
            best[row["indicator_id"]] = row
    return list(best.values())


def with_titles(store: Store, rows: list[dict]) -> list[dict]:
    """``rows`` (observations) with their indicator's ``title``, as an inner join of the
    ``indicators`` table would give them (a row of an unknown indicator is dropped)."""
    indicators, _ = _catalogue(store)
    return [{**r, "title": indicators[r["indicator_id"]][0]} for r in rows
            if r["indicator_id"] in indicators]


def with_dataset(store: Store, rows: list[dict]) -> list[dict]:
    """``rows`` (current observations) with their dataset's ``dataset_title`` and ``release``,
    as an inner join of ``visible_datasets`` would give them."""
    _, datasets = _catalogue(store)
    return [{**r, "dataset_title": datasets[r["dataset_id"]][0],
             "release": datasets[r["dataset_id"]][3]} for r in rows
            if r["dataset_id"] in datasets]


def latest_values(store: Store, area_code: str) -> list[dict]:
    """For one area, the latest period of every indicator (missing values included as None).

    Sorted by theme, then indicator title. Each row carries its dataset's provenance.
    """
    indicators, datasets = _catalogue(store)
    out = []
    for row in _latest_by_indicator(area_current(store, resolve_area(store, area_code))):
        meta, prov = indicators.get(row["indicator_id"]), datasets.get(row["dataset_id"])
        if meta is None or prov is None:  # as an inner join on both would drop it
            continue
        title, unit, polarity, kind, theme, per_head_of = meta
        d_title, publisher, licence, release, url, landing_page = prov
        out.append({
            "indicator_id": row["indicator_id"], "title": title, "unit": unit,
            "polarity": polarity, "kind": kind, "theme": theme, "per_head_of": per_head_of,
            "area_code": row["area_code"], "source_area_code": row["source_area_code"],
            "period": row["period"], "period_type": row["period_type"],
            "period_start": row["period_start"], "period_end": row["period_end"],
            "value": row["value"], "numerator": row["numerator"],
            "denominator": row["denominator"], "status": row["status"], "note": row["note"],
            "dataset_id": row["dataset_id"], "source_id": row["source_id"],
            "dataset_title": d_title, "publisher": publisher, "licence": licence,
            "release": release, "released_on": row["released_on"], "url": url,
            "landing_page": landing_page})
    # ORDER BY theme NULLS LAST, title, indicator_id (DuckDB's default, byte order).
    out.sort(key=lambda r: (r["theme"] is None, r["theme"] or "", r["title"] is None,
                            r["title"] or "", r["indicator_id"]))
    return out


def series(store: Store, indicator_id: str, area_code: str) -> list[dict]:
    """Every period's current value of one indicator for one area, oldest first."""
    indicator(store, indicator_id)  # raises NotFoundError for an unknown indicator
    return store.rows(_SERIES_SQL, [indicator_id, resolve_area(store, area_code)])


#: One area's series as published on a date: the columns a chart needs, from the same rows as
#: :func:`observations_as_published` (same releases, same order), without the provenance.
_SERIES_AS_PUBLISHED_SQL = f"""
SELECT o.indicator_id, o.period, o.period_end, o.value, o.status
FROM visible_observations o
JOIN (
    SELECT dataset_id, {EFFECTIVE_ON_SQL} AS effective_on
    FROM visible_datasets
    WHERE {EFFECTIVE_ON_SQL} <= ?
    QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY {NEWEST_FIRST_SQL}) = 1
) d ON d.dataset_id = o.dataset_id
JOIN indicators i ON i.indicator_id = o.indicator_id
WHERE o.area_code = ?
QUALIFY row_number() OVER (PARTITION BY o.indicator_id, o.area_code, o.period
                           ORDER BY d.effective_on DESC, d.dataset_id DESC) = 1
ORDER BY o.indicator_id, o.period_start, o.period_end
"""


def series_as_published(store: Store, on: date, area_code: str) -> list[tuple]:
    """Every (indicator_id, period, period_end, value, status) of one area as published on
    ``on``: :func:`observations_as_published`'s rows for the area, narrowed (a page's charts
    read only these, and tuples cost far less than dictionaries)."""
    return store.execute(_SERIES_AS_PUBLISHED_SQL,
                         [on, resolve_area(store, area_code)]).fetchall()


def observations_as_published(store: Store, on: date, indicator_id: str | None = None,
                              area_code: str | None = None,
                              indicator_ids: list[str] | None = None) -> list[dict]:
    """Values as they stood on ``on``: for each source, its newest release by that date
    (``indicator_ids``: several indicators in one query)."""
    params: list = [on]
    where = []
    if indicator_ids is not None:
        where.append("list_contains(?, o.indicator_id)")
        params.append(list(indicator_ids))
    wanted = {"indicator_id": indicator_id,
              "area_code": resolve_area(store, area_code) if area_code else None}
    for name, value in wanted.items():
        if value is not None:
            where.append(_FILTERS[name])
            params.append(value)
    sql = _AS_PUBLISHED_SQL + (" WHERE " + " AND ".join(where) if where else "")
    return store.rows(sql + _AS_PUBLISHED_TAIL, params)
