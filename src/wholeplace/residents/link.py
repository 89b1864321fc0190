"""The linkage run: deterministic links on strong identifiers, then Splink's probabilistic
linking and de-duplication (u by random sampling, m by EM), clerical review decisions applied,
Splink's connected-components clustering, stable ids, and the index written with pseudonyms only.

Raw identifiers exist only in a temporary linkage workspace (Splink's in-memory DuckDB database,
spilling to a scratch folder only when memory runs short, or Spark's scratch files), closed and
deleted when the run ends, whether it succeeds or fails; and, only where the purpose's DPO chose
to keep them, in the encrypted comparison columns (residents.comparisons), which a full run
rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csgraph
from splink import Linker

from wholeplace.errors import InputError
from wholeplace.residents import comparisons, model
from wholeplace.residents.ids import Assignment, assign
from wholeplace.residents.privacy import Pseudonymiser
from wholeplace.residents.sources import Refresh, for_run, load_frame
from wholeplace.residents.workspace import Workspace

LINK_COLUMNS = ["record_key", "source_dataset", "forename", "forename_canonical", "surname",
                "dob", "sex", "postcode", "uprn", "nhs_number"]
COMPARISONS = ["forename", "surname", "dob", "address", "nhs_number", "sex"]


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds are match probabilities: pairs at or above ``match_threshold`` link; pairs
    from ``review_threshold`` up to it go to clerical review."""

    match_threshold: float = 0.95
    review_threshold: float = 0.5
    backend: str = "duckdb"
    seed: int = 1
    u_max_pairs: float = 1e6
    #: Records u and m are estimated on (a seeded sample when there are more).
    training_sample: int = 150_000
    recall: float = model.PRIOR_RECALL
    scratch: Path | None = None

    def check(self) -> None:
        if not 0 < self.review_threshold <= self.match_threshold < 1:
            raise InputError("Thresholds must satisfy 0 < review threshold <= match threshold "
                             f"< 1; got review {self.review_threshold}, match "
                             f"{self.match_threshold}.")
        if self.backend not in model.BACKENDS:
            raise InputError(f"Unknown backend {self.backend!r}; choose one of "
                             f"{', '.join(model.BACKENDS)}.")


@dataclass
class RunSummary:
    run_id: int
    kind: str
    records: int
    residents: int
    new_ids: int
    deterministic_pairs: int
    scored_pairs: int
    review_pairs: int
    events: dict[str, int]
    dropped: dict[str, int]
    seconds: float = 0.0
    clusters: dict[str, str] = field(default_factory=dict, repr=False)


def pair_key(left: str, right: str) -> str:
    low, high = sorted((left, right))
    return hashlib.sha256(f"{low}|{high}".encode()).hexdigest()[:32]


def frame_of(records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """The columns the model compares, as Splink is given them (missing values None)."""
    if isinstance(records, pd.DataFrame):
        frame = records[[*LINK_COLUMNS]].reset_index(drop=True)
    else:
        frame = pd.DataFrame.from_records(records, columns=[*LINK_COLUMNS])
    frame["dob"] = pd.to_datetime(frame["dob"]).dt.date
    return frame.astype(object).where(frame.notna(), None)


def _train(linker: Linker, cfg: LinkConfig) -> None:
    linker.training.estimate_probability_two_random_records_match(
        list(model.PRIOR_RULES), recall=cfg.recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=cfg.u_max_pairs, seed=cfg.seed)
    for rule in model.TRAINING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)


def train(api: Any, records: Any, frame: pd.DataFrame, cfg: LinkConfig) -> Linker:
    """A linker on every record with the trained model, ready to score. Above
    ``cfg.training_sample`` records, u and m are estimated on a seeded random sample of that
    many records (both are properties of a pair of records, not of how many there are), then
    the prior, which does depend on the number of records, is estimated again on every
    record."""
    if len(frame) <= cfg.training_sample:
        linker = Linker(records, model.settings(unique_id=model.ROW_ID), log_level=None)
        _train(linker, cfg)
        return linker
    sample = frame.sample(n=cfg.training_sample, random_state=cfg.seed).reset_index(drop=True)
    on_sample = Linker(api.register(sample, dataset_display_name="training_sample"),
                       model.settings(unique_id=model.ROW_ID), log_level=None)
    _train(on_sample, cfg)
    full = Linker(records, on_sample.misc.save_model_to_json(), log_level=None)
    full.training.estimate_probability_two_random_records_match(
        list(model.PRIOR_RULES), recall=cfg.recall)
    return full


def _field_levels(row: Any) -> str:
    """Each comparison's level and its share of the match weight (Splink 5's ``mw_`` column,
    plus its term-frequency adjustment where there is one)."""
    levels: dict[str, dict[str, float | int | None]] = {}
    for c in COMPARISONS:
        parts = [row.get(f"mw_{c}"), row.get(f"mw_tf_adj_{c}")]
        known = [float(p) for p in parts if p is not None and not pd.isna(p)]
        levels[c] = {"level": int(row[f"gamma_{c}"]) if f"gamma_{c}" in row else None,
                     "weight": round(sum(known), 2) if known else None}
    return json.dumps(levels)


def edges_from(det: pd.DataFrame, pred: pd.DataFrame,
           decisions: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges for clustering (deterministic links, scored pairs, review decisions) and the
    scored pairs with their pair keys."""
    pred = pred.copy()
    pred["pair_key"] = [pair_key(a, b) for a, b in zip(pred.record_key_l, pred.record_key_r)]
    det_keys = {pair_key(a, b) for a, b in zip(det.record_key_l, det.record_key_r)}
    decided = pred["pair_key"].map(decisions)
    probability = pred["match_probability"].where(decided.isna(), decided.eq("accept") * 1.0)
    edges = pd.DataFrame({"record_key_l": pred.record_key_l, "record_key_r": pred.record_key_r,
                          "match_probability": probability})
    edges = edges[~pred["pair_key"].isin(det_keys).to_numpy()]
    det_edges = pd.DataFrame({"record_key_l": det.record_key_l, "record_key_r": det.record_key_r,
                              "match_probability": 1.0})
    rejected = {k for k, v in decisions.items() if v == "reject"}
    det_edges = det_edges[[pair_key(a, b) not in rejected for a, b in
                           zip(det_edges.record_key_l, det_edges.record_key_r)]]
    return pd.concat([det_edges, edges], ignore_index=True), pred


def _accepted_missing(ws: Workspace, pred: pd.DataFrame, keys: set[str]) -> pd.DataFrame:
    """Accepted pairs the blocking rules did not produce this time: still linked."""
    rows = ws.rows("SELECT pair_key, key_l, key_r FROM decisions WHERE decision = 'accept'")
    seen = set(pred["pair_key"])
    extra = [(left, right) for k, left, right in rows
             if k not in seen and left in keys and right in keys]
    return pd.DataFrame(extra, columns=["record_key_l", "record_key_r"]).assign(
        match_probability=1.0)


def connected_components(nodes: pd.Series, edges: pd.DataFrame,
                         threshold: float) -> dict[str, str]:
    """Cluster id by record key: connected components of the edges at or above ``threshold``
    (scipy's sparse-graph routine, the same answer on every backend); a cluster's id is its
    smallest record key, so it does not depend on the order the backend returned pairs in."""
    keys = pd.Index(sorted(set(nodes)), dtype=object)  # Python sorts strings faster than pandas
    kept = edges[edges["match_probability"] >= threshold]
    left = keys.get_indexer(kept["record_key_l"])
    right = keys.get_indexer(kept["record_key_r"])
    known = (left >= 0) & (right >= 0)
    graph = coo_matrix((np.ones(int(known.sum())), (left[known], right[known])),
                       shape=(len(keys), len(keys)))
    _, labels = csgraph.connected_components(graph, directed=False)
    # keys are sorted, so the first index of each label is its smallest key
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return dict(zip(keys, keys[first[inverse]], strict=True))


def score_and_cluster(ws: Workspace, frame: pd.DataFrame, cfg: LinkConfig, workdir: Path,
                      trained: dict[str, Any] | None = None,
                      ) -> tuple[dict[str, str], pd.DataFrame, int, dict[str, Any]]:
    """Cluster ids by record key, the scored pairs, the deterministic pair count, the model.

    With ``trained`` (a saved model), that model scores the pairs and no training is done."""
    api = model.database_api(cfg.backend, workdir)
    try:
        return _score_and_cluster(ws, api, frame, cfg, trained)
    finally:
        model.close(api)


def _score_and_cluster(ws: Workspace, api: Any, frame: pd.DataFrame, cfg: LinkConfig,
                       trained: dict[str, Any] | None,
                       ) -> tuple[dict[str, str], pd.DataFrame, int, dict[str, Any]]:
    keys = frame["record_key"].to_numpy()
    rows = frame.drop(columns="record_key").assign(**{model.ROW_ID: np.arange(len(frame))})
    records = api.register(rows, dataset_display_name="records")
    det = Linker(records, model.deterministic_settings(model.ROW_ID), log_level=None)
    det_pairs = with_record_keys(model.to_pandas(det.inference.deterministic_link()), keys)
    if trained is None:  # the trained linker scores: its tables are reused
        linker = train(api, records, rows, cfg)
        trained = model.with_unique_id(dict(linker.misc.save_model_to_json()), "record_key")
    else:
        linker = Linker(records, model.with_unique_id(
            model.for_dialect(trained, cfg.backend), model.ROW_ID), log_level=None)
    pred = with_record_keys(model.scored_pairs(linker, linker.inference.predict(
        threshold_match_probability=cfg.review_threshold, warning_mode="never")), keys)
    decisions = dict(ws.rows("SELECT pair_key, decision FROM decisions"))
    edges, pred = edges_from(det_pairs, pred, decisions)
    extra = _accepted_missing(ws, pred, set(keys))
    edges = pd.concat([edges, extra], ignore_index=True)
    clusters = connected_components(frame["record_key"], edges, cfg.match_threshold)
    return clusters, pred, len(det_pairs), trained


def with_record_keys(pairs: pd.DataFrame, keys: np.ndarray) -> pd.DataFrame:
    """Pairs of row numbers (``row_id_l``, ``row_id_r``) as pairs of record keys."""
    left, right = f"{model.ROW_ID}_l", f"{model.ROW_ID}_r"
    out = pairs.drop(columns=[left, right])
    out.insert(0, "record_key_r", keys[pairs[right].to_numpy()])
    out.insert(0, "record_key_l", keys[pairs[left].to_numpy()])
    return out


def write_queue(ws: Workspace, pred: pd.DataFrame, cfg: LinkConfig, run_id: int,
                replace: bool = True) -> int:
    decided = {r[0] for r in ws.rows("SELECT pair_key FROM decisions")}
    band = pred[(pred.match_probability >= cfg.review_threshold)
                & (pred.match_probability < cfg.match_threshold)
                & ~pred.pair_key.isin(decided)]
    queue = pd.DataFrame({
        "pair_key": band.pair_key, "key_l": band.record_key_l, "key_r": band.record_key_r,
        "source_l": band.source_dataset_l, "source_r": band.source_dataset_r,
        "match_weight": band.match_weight, "match_probability": band.match_probability,
        "field_levels": [_field_levels(r) for _, r in band.iterrows()], "run_id": run_id})
    if replace:
        ws.execute("DELETE FROM review_queue")
    ws.con.register("new_queue", queue)
    ws.execute("INSERT OR REPLACE INTO review_queue SELECT * FROM new_queue")
    ws.con.unregister("new_queue")
    return len(queue)


def write_index(ws: Workspace, records: pd.DataFrame, result: Assignment,
                 pseudonym: Pseudonymiser, run_id: int, replace: bool) -> None:
    codes, uprns = pd.factorize(records["uprn"])  # each household hashed once
    keys = np.array([*pseudonym.many(f"uprn:{u}" for u in uprns), None], dtype=object)
    household = pd.Series(keys[codes], index=records.index, dtype=object)
    index = pd.DataFrame({
        "record_key": records["record_key"],
        "source": records["source_dataset"],
        "resident_id": records["record_key"].map(result.ids),
        "run_id": run_id,
        "household_key": household,
        "area": records["postcode_outward"],
        "service_start": records["service_start"],
        "service_end": records["service_end"]}).reset_index(drop=True)
    if replace:
        ws.execute("DELETE FROM residents")
    ws.con.register("new_index", index)
    ws.execute("INSERT OR REPLACE INTO residents SELECT * FROM new_index")
    ws.con.unregister("new_index")
    now = datetime.now()
    merged = pd.DataFrame([(other, e.resident_id) for e in result.events if e.kind == "merge"
                           for other in e.other_ids], columns=["old_id", "new_id"], dtype=object)
    if len(merged) and not replace:  # untouched records of a merged id follow it (one scan)
        ws.con.register("merged_ids", merged)
        ws.execute("UPDATE residents SET resident_id = m.new_id FROM merged_ids m "
                   "WHERE residents.resident_id = m.old_id")
        ws.con.unregister("merged_ids")
    for e in result.events:
        ws.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                   [run_id, e.kind, e.resident_id, ",".join(e.other_ids), e.reason, now])


def start_run(ws: Workspace, purpose: str, kind: str, cfg: LinkConfig) -> int:
    run_id = int(ws.scalar("SELECT coalesce(max(run_id), 0) + 1 FROM runs"))
    ws.execute("INSERT INTO runs (run_id, purpose, kind, backend, started_at, match_threshold, "
               "review_threshold) VALUES (?, ?, ?, ?, ?, ?, ?)",
               [run_id, purpose, kind, cfg.backend, datetime.now(), cfg.match_threshold,
                cfg.review_threshold])
    return run_id


def scratch_dir(cfg: LinkConfig) -> Path:
    return Path(tempfile.mkdtemp(prefix="wholeplace-linkage-", dir=cfg.scratch))


def run_link(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, cfg: LinkConfig,
             today: date, refresh: Refresh = None) -> RunSummary:
    """A full run: every record re-linked, ids carried over from the previous run."""
    cfg.check()
    started = datetime.now()
    prints = comparisons.fingerprints(ws, purpose)  # before reading: a later change re-reads
    if comparisons.path_for(ws.path, purpose).exists():  # kept under a lapsed agreement: gone
        comparisons.purge_lapsed(ws.path, purpose, for_run(ws, purpose, refresh), today)
    records, dropped = load_frame(ws, purpose, pseudonym, today, refresh)
    run_id = start_run(ws, purpose, "full", cfg)
    workdir = scratch_dir(cfg)
    try:
        clusters, pred, n_det, trained = score_and_cluster(ws, frame_of(records), cfg, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    previous = dict(ws.rows("SELECT record_key, resident_id FROM residents"))
    result = assign(clusters, previous, ws.new_resident_ids)
    with ws.transaction():
        write_index(ws, records, result, pseudonym, run_id, replace=True)
        n_review = write_queue(ws, pred, cfg, run_id)
        residents = len(set(result.ids.values()))
        ws.execute("UPDATE runs SET finished_at = ?, records = ?, residents = ?, model = ? "
                   "WHERE run_id = ?", [datetime.now(), len(records), residents,
                                        json.dumps(trained), run_id])
    comparisons.after_full_run(ws, pseudonym, records, prints)  # rebuilt, or none when off
    kinds = {k: sum(e.kind == k for e in result.events) for k in ("merge", "split", "removed")}
    return RunSummary(run_id, "full", len(records), residents, result.new, n_det, len(pred),
                      n_review, kinds, dropped, (datetime.now() - started).total_seconds(),
                      clusters)
