"""Incremental linking between full runs: records not yet in the index are scored against it
with the last full run's saved model (Splink's ``predict_between``, the v5 successor of
``find_matches_to_new_records``) and among themselves (``predict_within``).

The index's records are read again from the registered extracts, unless the purpose's data
protection officer has chosen to keep their comparison columns between runs
(:mod:`residents.comparisons`): then only extracts that changed are read."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from wholeplace.errors import InputError
from wholeplace.residents import comparisons, model
from wholeplace.residents.ids import assign
from wholeplace.residents.link import (
    LINK_COLUMNS,
    LinkConfig,
    RunSummary,
    connected_components,
    edges_from,
    frame_of,
    scratch_dir,
    start_run,
    write_index,
    write_queue,
)
from wholeplace.residents.privacy import Pseudonymiser
from wholeplace.residents.sources import Refresh, load_frame
from wholeplace.residents.workspace import Workspace


def saved_model(ws: Workspace, purpose: str) -> dict[str, Any]:
    text = ws.scalar("SELECT model FROM runs WHERE purpose = ? AND kind = 'full' AND model "
                     "IS NOT NULL ORDER BY run_id DESC LIMIT 1", [purpose])
    if text is None:
        raise InputError(f"No full run for purpose {purpose!r} has saved a model yet. Run "
                         "'wholeplace residents link' once before linking incrementally.")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _same_resident(keys: set[str], index: dict[str, str]) -> pd.DataFrame:
    """Edges that keep the touched records of one existing resident together."""
    by_id: dict[str, list[str]] = {}
    for key in sorted(keys):
        if key in index:
            by_id.setdefault(index[key], []).append(key)
    pairs = [(ks[i], ks[i + 1]) for ks in by_id.values() for i in range(len(ks) - 1)]
    return pd.DataFrame(pairs, columns=["record_key_l", "record_key_r"]).assign(
        match_probability=1.0)


def score_new(existing: Any, new: pd.DataFrame, trained: dict[str, Any],
              previous_of: Callable[[set[str]], dict[str, str]], cfg: LinkConfig,
              workdir: Any) -> tuple[dict[str, str], pd.DataFrame, dict[str, str]]:
    """Cluster ids for the new records and the existing records they touch, the pairs, and
    the touched records' resident ids (``previous_of`` looks them up in the index).
    ``existing`` is the index's records as Splink is given them (a DataFrame or Arrow table)."""
    api = model.database_api(cfg.backend, workdir)
    try:
        return _score_new(api, existing, new, trained, previous_of, cfg)
    finally:
        model.close(api)  # the linkage database holds raw identifiers: freed now


def _score_new(api: Any, existing: Any, new: pd.DataFrame, trained: dict[str, Any],
               previous_of: Callable[[set[str]], dict[str, str]], cfg: LinkConfig,
               ) -> tuple[dict[str, str], pd.DataFrame, dict[str, str]]:
    left = api.register(existing, dataset_display_name="index_records")
    right = api.register(new, dataset_display_name="new_records")
    linker = Linker(left, model.for_dialect(trained, cfg.backend), log_level=None)
    for column in model.tf_columns(trained):  # term frequencies from the index's records
        linker.table_management.compute_tf_table(column)
    scored = [model.to_pandas(linker.inference.predict_between(
        left, right, threshold_match_probability=cfg.review_threshold, warning_mode="never"))]
    if len(new) > 1:
        scored.append(model.to_pandas(linker.inference.predict_within(
            right, threshold_match_probability=cfg.review_threshold, warning_mode="never")))
    det = [model.to_pandas(linker.inference.predict_between(
        left, right, blocking_rules_to_generate_predictions=list(model.DETERMINISTIC_RULES),
        warning_mode="never"))]
    pred = pd.concat([s for s in scored if len(s)] or scored[:1], ignore_index=True)
    det_pairs = pd.concat(det, ignore_index=True)
    edges, pred = edges_from(det_pairs, pred, {})
    touched = set(edges.record_key_l) | set(edges.record_key_r) | set(new.record_key)
    index = previous_of(touched)
    edges = pd.concat([edges, _same_resident(touched, index)], ignore_index=True)
    clusters = connected_components(pd.Series(sorted(touched)), edges, cfg.match_threshold)
    return clusters, pred, index


def _previous(ws: Workspace) -> Callable[[set[str]], dict[str, str]]:
    """Resident ids of some record keys, from the index (one query)."""
    def previous_of(keys: set[str]) -> dict[str, str]:
        ws.con.register("touched_keys", pd.DataFrame({"record_key": sorted(keys)}, dtype=object))
        try:
            return dict(ws.rows("SELECT r.record_key, r.resident_id FROM residents r "
                                "JOIN touched_keys t ON r.record_key = t.record_key"))
        finally:
            ws.con.unregister("touched_keys")
    return previous_of


@dataclass
class _Split:
    existing: Any  # the index's records, as Splink is given them
    new: pd.DataFrame
    changed_rows: Callable[[set[str]], pd.DataFrame]  # records of these keys, to index
    dropped: dict[str, int]
    after: Callable[[], None]  # run once the index is written


def _indexed(ws: Workspace) -> pa.Array:
    table = ws.con.sql("SELECT record_key FROM residents").to_arrow_table()
    if table is None:  # DuckDB's stubs allow it; a query always gives a table
        return pa.array([], pa.string())
    return table["record_key"].combine_chunks()


def _from_extracts(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, today: date,
                   refresh: Refresh) -> _Split:
    """Every record read again from the extracts (the option off, as always before)."""
    records, dropped = load_frame(ws, purpose, pseudonym, today, refresh)
    indexed = records["record_key"].isin(_indexed(ws).to_pylist())
    comparisons.delete(comparisons.path_for(ws.path, purpose))  # off keeps nothing

    def rows(keys: set[str]) -> pd.DataFrame:
        return records[records["record_key"].isin(keys)]
    return _Split(frame_of(records[indexed]), frame_of(records[~indexed]), rows, dropped,
                  lambda: None)


def _not_indexed(ws: Workspace, table: pa.Table) -> pa.Table:
    """The rows of ``table`` whose record is not in the index. Joined in Arrow, in memory: the
    workspace's DuckDB connection could spill these plaintext columns to its own temporary
    folder, outside the run's scratch folder."""
    return table.filter(pc.invert(pc.is_in(table["record_key"], value_set=_indexed(ws))))


def _from_kept(ws: Workspace, pseudonym: Pseudonymiser, today: date, refresh: Refresh,
               found: comparisons.Decision, backend: str) -> _Split:
    """The kept comparison columns, and only the extracts that changed read."""
    run = comparisons.load_records(ws, pseudonym, today, refresh, found)
    fresh = _not_indexed(ws, run.table)
    with_fresh = set(fresh["source_dataset"].to_pylist())
    existing = [part if not len(part) or part["source_dataset"][0].as_py() not in with_fresh
                else part.filter(pc.invert(pc.is_in(part["record_key"],
                                                    value_set=fresh["record_key"])))
                for part in run.parts]  # a kept source's records are all indexed, mostly
    table = pa.concat_tables(existing).select(LINK_COLUMNS) if existing else \
        comparisons.SCHEMA.empty_table().select(LINK_COLUMNS)
    if backend != "duckdb":  # Spark is given pandas, as without kept columns
        table = frame_of(comparisons.pandas(table))

    def rows(keys: set[str]) -> pd.DataFrame:  # in Arrow, as above
        wanted = pa.array(sorted(keys), pa.string())
        return comparisons.pandas(run.table.filter(pc.is_in(run.table["record_key"],
                                                            value_set=wanted)))

    def after() -> None:
        comparisons.write(comparisons.path_for(ws.path, pseudonym.purpose), pseudonym,
                          run.to_write, run.owned)
    return _Split(table, frame_of(comparisons.pandas(fresh)), rows, run.dropped, after)


def run_incremental(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, cfg: LinkConfig,
                    today: date, refresh: Refresh = None) -> RunSummary:
    """Add records that arrived since the last run, scored with the saved model."""
    cfg.check()
    started = datetime.now()
    trained = saved_model(ws, purpose)
    found = comparisons.enabled(ws, purpose)
    split = _from_kept(ws, pseudonym, today, refresh, found, cfg.backend) if found else \
        _from_extracts(ws, purpose, pseudonym, today, refresh)
    new = split.new
    run_id = start_run(ws, purpose, "incremental", cfg)
    clusters: dict[str, str] = {}
    index: dict[str, str] = {}
    pred = pd.DataFrame()
    if len(new):
        workdir = scratch_dir(cfg)
        try:
            clusters, pred, index = score_new(split.existing, new, trained, _previous(ws),
                                              cfg, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    result = assign(clusters, index, ws.new_resident_ids, full_run=False)
    changed = split.changed_rows(set(result.ids))
    with ws.transaction():
        write_index(ws, changed, result, pseudonym, run_id, replace=False)
        n_review = write_queue(ws, pred, cfg, run_id, replace=False) if len(pred) else 0
        residents = int(ws.scalar("SELECT count(DISTINCT resident_id) FROM residents"))
        ws.execute("UPDATE runs SET finished_at = ?, records = ?, residents = ? "
                   "WHERE run_id = ?", [datetime.now(), len(new), residents, run_id])
    split.after()
    kinds = {k: sum(e.kind == k for e in result.events) for k in ("merge", "split", "removed")}
    return RunSummary(run_id, "incremental", len(new), residents, result.new, 0, len(pred),
                      n_review, kinds, split.dropped,
                      (datetime.now() - started).total_seconds(), clusters)
