"""Splink's Spark backend (local mode) scores the same pairs as DuckDB with the same model, at
the same comparison levels, and gives the same clusters. (Splink's Spark jar computes
Jaro-Winkler differently from DuckDB; spark.py replaces it with DuckDB's definition, from
residents.similarity.)"""

import logging
import shutil

import pytest

from wholeplace.residents import demo
from wholeplace.residents.link import LinkConfig, frame_of, score_and_cluster, scratch_dir
from wholeplace.residents.privacy import load_key
from wholeplace.residents.sources import load_frame
from wholeplace.residents.synthetic import REFERENCE_DATE
from wholeplace.residents.workspace import open_workspace

pytest.importorskip("pyspark", reason="the Spark backend needs pyspark (the test extra has it)")


def partition(clusters):
    groups = {}
    for key, cluster in clusters.items():
        groups.setdefault(cluster, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_spark_and_duckdb_give_the_same_clusters(tmp_path):
    logging.getLogger("splink").setLevel(logging.ERROR)
    built = demo.build(tmp_path, n_households=80, seed=4)
    key = load_key(built.key_dir, demo.PURPOSE)
    with open_workspace(built.workspace) as ws:
        records, _ = load_frame(ws, demo.PURPOSE, key, REFERENCE_DATE)
        frame = frame_of(records)
        results = {}
        trained = None
        for backend in ("duckdb", "spark"):
            cfg = LinkConfig(backend=backend)
            workdir = scratch_dir(cfg)
            try:
                clusters, pred, n_det, model = score_and_cluster(ws, frame, cfg, workdir, trained)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            trained = trained or model
            results[backend] = (partition(clusters), pred.set_index("pair_key"), n_det)
    (spark, spark_pred, spark_det), (duck, duck_pred, duck_det) = (
        results["spark"], results["duckdb"])
    assert spark_det == duck_det > 0  # the same deterministic links
    assert set(spark_pred.index) == set(duck_pred.index)  # the same scored pairs
    both = duck_pred.join(spark_pred, rsuffix="_spark")
    gammas = [c for c in duck_pred.columns if c.startswith("gamma_")]
    assert len(gammas) == 6
    for gamma in gammas:  # every comparison at the same level for every pair
        assert (both[gamma] == both[f"{gamma}_spark"]).all(), gamma
    assert (both.match_probability - both.match_probability_spark).abs().max() < 1e-9
    assert spark == duck  # the same clusters
    assert len(duck) < len(frame)  # some records did link
