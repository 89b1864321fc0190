"""Incremental linking between full runs: records not yet in the index are scored against it
with the last full run's saved model (Splink's ``predict_between``, the v5 successor of
``find_matches_to_new_records``) and among themselves (``predict_within``)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from typing import Any

import pandas as pd
from splink import Linker

from wholeplace.errors import InputError
from wholeplace.residents import model
from wholeplace.residents.ids import assign
from wholeplace.residents.link import (
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


def score_new(existing: pd.DataFrame, new: pd.DataFrame, trained: dict[str, Any],
              index: dict[str, str], cfg: LinkConfig,
              workdir: Any) -> tuple[dict[str, str], pd.DataFrame]:
    """Cluster ids for the new records and the existing records they touch, and the pairs."""
    api = model.database_api(cfg.backend, workdir)
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
    edges = pd.concat([edges, _same_resident(touched, index)], ignore_index=True)
    return connected_components(pd.Series(sorted(touched)), edges, cfg.match_threshold), pred


def run_incremental(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, cfg: LinkConfig,
                    today: date, refresh: Refresh = None) -> RunSummary:
    """Add records that arrived since the last run, scored with the saved model."""
    cfg.check()
    started = datetime.now()
    trained = saved_model(ws, purpose)
    records, dropped = load_frame(ws, purpose, pseudonym, today, refresh)
    index = dict(ws.rows("SELECT record_key, resident_id FROM residents"))
    indexed = records["record_key"].isin(index.keys())
    new = records[~indexed]
    run_id = start_run(ws, purpose, "incremental", cfg)
    clusters: dict[str, str] = {}
    pred = pd.DataFrame()
    if len(new):
        workdir = scratch_dir(cfg)
        try:
            clusters, pred = score_new(frame_of(records[indexed]), frame_of(new), trained,
                                       index, cfg, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    result = assign(clusters, index, ws.new_resident_ids, full_run=False)
    changed = records[records["record_key"].isin(result.ids.keys())]
    with ws.transaction():
        write_index(ws, changed, result, pseudonym, run_id, replace=False)
        n_review = write_queue(ws, pred, cfg, run_id, replace=False) if len(pred) else 0
        residents = int(ws.scalar("SELECT count(DISTINCT resident_id) FROM residents"))
        ws.execute("UPDATE runs SET finished_at = ?, records = ?, residents = ? "
                   "WHERE run_id = ?", [datetime.now(), len(new), residents, run_id])
    kinds = {k: sum(e.kind == k for e in result.events) for k in ("merge", "split", "removed")}
    return RunSummary(run_id, "incremental", len(new), residents, result.new, 0, len(pred),
                      n_review, kinds, dropped, (datetime.now() - started).total_seconds(),
                      clusters)
