"""Splink's Spark backend (local mode) gives the same clusters as DuckDB with the same model."""

import logging
import shutil

import pytest

from wholeplace.residents import demo
from wholeplace.residents.link import LinkConfig, frame_of, score_and_cluster, scratch_dir
from wholeplace.residents.privacy import load_key
from wholeplace.residents.sources import load_for_run
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
    built = demo.build(tmp_path, n_households=150, seed=4)
    key = load_key(built.key_dir, demo.PURPOSE)
    with open_workspace(built.workspace) as ws:
        records, _ = load_for_run(ws, demo.PURPOSE, key, REFERENCE_DATE)
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
            results[backend] = (partition(clusters), len(pred), n_det)
    assert results["spark"] == results["duckdb"]
    assert len(results["duckdb"][0]) < len(frame)  # some records did link
