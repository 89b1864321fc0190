"""The residents pipeline against the `recordlinkage` package on the same SYNTHETIC subset.

    .venv/bin/python -m benchmarks.residents_rl --records 100000

recordlinkage is given comparable work: the same standardised records, candidate pairs from the
same kinds of blocks (surname and date of birth; postcode and surname; postcode and canonical
forename), comparisons on the same fields, the tutorial's agreement-count rule (at least 4 of 6),
or its ECM classifier, then connected components of the matched pairs. All are scored with
residents.quality. Wall and CPU seconds are reported (ours uses DuckDB's threads); speed ratios
are against our linking alone on the same standardised records (a full run also reads,
standardises and hashes the extracts and writes the index; it is reported too).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

SYSTEMS = ("council_tax", "electoral_register", "housing_benefit")


def _records(records: int, seed: int) -> tuple[Any, dict[str, str], Path, Any]:
    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.sources import load_for_run
    from wholeplace.residents.workspace import open_workspace

    tmp = Path(tempfile.mkdtemp(prefix="wholeplace-rl-"))
    built = demo.build(tmp, n_households=int(records / 3.0), seed=seed, systems=SYSTEMS)
    key = load_key(built.key_dir, demo.PURPOSE)
    with open_workspace(built.workspace) as ws:
        rows, _ = load_for_run(ws, demo.PURPOSE, key, synthetic.REFERENCE_DATE)
    truth = {key(f"{s}:{r}"): p for (s, r), p in built.population.truth.items()}
    return rows, truth, tmp, key


def with_recordlinkage(rows: list[dict[str, Any]],
                       classifier: str = "rule") -> tuple[dict[str, str], float, float]:
    """recordlinkage's documented steps: an index of blocks, comparisons, then a classifier:
    ``rule`` (the tutorial's agreement count, at least 4 of the 6 features) or ``ecm`` (its
    unsupervised Fellegi-Sunter classifier, the counterpart of Splink's model)."""
    import pandas as pd
    import recordlinkage as rl

    start, cpu = time.perf_counter(), time.process_time()
    df = pd.DataFrame(rows).set_index("record_key")
    # Missing stays missing: astype(str) would make every missing date of birth "None", which
    # agrees with every other and blocks all of them together.
    df["dob"] = df["dob"].map(lambda d: d.isoformat() if d else None)
    indexer = rl.Index()
    indexer.block(["surname", "dob"])
    indexer.block(["postcode", "surname"])
    indexer.block(["postcode", "forename_canonical"])
    pairs = indexer.index(df)
    compare = rl.Compare()
    compare.string("forename", "forename", method="jarowinkler", threshold=0.92, label="fn")
    compare.exact("forename_canonical", "forename_canonical", label="fc")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.92, label="sn")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="pc")
    compare.exact("uprn", "uprn", label="uprn")
    features = compare.compute(pairs, df)
    if classifier == "ecm":
        matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    else:
        matches = features[features.sum(axis=1) >= 4].index
    parent: dict[str, str] = {k: k for k in df.index}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in matches:
        parent[find(a)] = find(b)
    return ({k: find(k) for k in df.index}, time.perf_counter() - start,
            time.process_time() - cpu)


def with_residents(tmp: Path) -> tuple[dict[str, str], float, float]:
    """A full run as `wholeplace residents link` does it: reading and standardising every
    extract, hashing, linking, writing the index and the review queue."""
    from wholeplace.residents import demo, synthetic
    from wholeplace.residents.link import LinkConfig, run_link
    from wholeplace.residents.privacy import load_key
    from wholeplace.residents.workspace import open_workspace

    start, cpu = time.perf_counter(), time.process_time()
    with open_workspace(tmp / "residents.duckdb") as ws:
        summary = run_link(ws, demo.PURPOSE, load_key(tmp / "keys", demo.PURPOSE),
                           LinkConfig(), synthetic.REFERENCE_DATE)
    return summary.clusters, time.perf_counter() - start, time.process_time() - cpu


def with_residents_linking(rows: list[dict[str, Any]],
                           tmp: Path) -> tuple[dict[str, str], float, float]:
    """Only the linking, on the standardised records recordlinkage is given: deterministic
    links, training, scoring and clustering (``link.score_and_cluster``)."""
    import pandas as pd

    from wholeplace.residents.link import LinkConfig, frame_of, score_and_cluster, scratch_dir
    from wholeplace.residents.workspace import open_workspace

    frame = frame_of(pd.DataFrame(rows))
    cfg = LinkConfig()
    workdir = scratch_dir(cfg)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with open_workspace(tmp / "linking-only.duckdb") as ws:
            clusters, _, _, _ = score_and_cluster(ws, frame, cfg, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return clusters, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.getLogger("splink").setLevel(logging.ERROR)
    rows, truth, tmp, _ = _records(args.records, args.seed)
    load = open("/proc/loadavg").read().split()[:3] if Path("/proc/loadavg").exists() else []
    ours, ours_s, ours_cpu = with_residents_linking(rows, tmp)
    full, full_s, full_cpu = with_residents(tmp)
    out: dict[str, Any] = {"records": len(rows), "load_average_at_start": load,
                           "residents_linking": _scored(ours, truth, ours_s, ours_cpu),
                           "residents_full_run": _scored(full, truth, full_s, full_cpu)}
    for classifier in ("rule", "ecm"):
        theirs, theirs_s, theirs_cpu = with_recordlinkage(rows, classifier)
        out[f"recordlinkage_{classifier}"] = {
            **_scored(theirs, truth, theirs_s, theirs_cpu),
            "speed_ratio": round(theirs_s / ours_s, 2),
            "cpu_ratio": round(theirs_cpu / ours_cpu, 2)}
    print(json.dumps(out, indent=2))


def _scored(clusters: dict[str, str], truth: dict[str, str], seconds: float,
            cpu: float) -> dict[str, float]:
    from wholeplace.residents.quality import evaluate

    q = evaluate(clusters, truth)
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "f1": round(q.f1, 4),
            "precision": round(q.precision, 4), "recall": round(q.recall, 4)}


if __name__ == "__main__":
    main()
