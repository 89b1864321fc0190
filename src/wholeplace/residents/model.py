"""The linkage model in Splink's own shape: settings from ``SettingsCreator``, comparisons from
its comparison library, the backend chosen by one object (``DuckDBAPI`` or ``SparkAPI``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

BACKENDS = ("duckdb", "spark")

#: The key a full run links on: Splink joins and orders every pair on its unique id, and a
#: 64-character keyed hash made each of those a long-string join or comparison (a quarter of
#: the CPU at 100,000 records). Record keys are put back on the pairs afterwards, and a saved
#: model names ``record_key``, as the records it is used on elsewhere have no row numbers.
ROW_ID = "row_id"

#: Strong identifiers: records agreeing on one of these are the same person without scoring.
DETERMINISTIC_RULES: list[BlockingRuleCreator] = [
    block_on("nhs_number"),
    block_on("uprn", "dob", "surname", "forename_canonical"),
]

#: Rules whose pairs are almost all true matches, with the share of true matches they are
#: assumed to find (an assumption, stated in docs/residents.md): they set the prior
#: probability that two records match.
PRIOR_RULES: list[BlockingRuleCreator] = [
    block_on("forename", "surname", "dob"),
    block_on("forename", "surname", "postcode"),
]
PRIOR_RECALL = 0.7

#: Candidate pairs for probabilistic scoring. Each catches errors the others miss: a married-name
#: change (forename and date of birth), a move (names and date of birth), no date of birth
#: (names at one address), a typo in a name (the other name at one address).
PREDICTION_RULES: list[BlockingRuleCreator] = [
    block_on("surname", "dob"),
    block_on("forename_canonical", "dob"),
    block_on("uprn", "forename_canonical"),
    block_on("uprn", "surname"),
    block_on("postcode", "surname"),
    block_on("postcode", "forename_canonical"),
    block_on("nhs_number"),
]

#: Expectation maximisation sessions; together they estimate m for every comparison.
#: Neither blocks on the address alone: pairs within one household would teach EM that the
#: household, not the person, is the thing being matched.
TRAINING_RULES: list[BlockingRuleCreator] = [
    block_on("forename_canonical", "surname"),
    block_on("dob"),
]


def forename_comparison() -> cl.CustomComparison:
    """Exact, then the same canonical form (a nickname), then close spellings."""
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename"),
            cll.ExactMatchLevel("forename_canonical"),
            cll.JaroWinklerLevel("forename", 0.92),
            cll.DamerauLevenshteinLevel("forename", 1),
            cll.ElseLevel(),
        ],
    )


def address_comparison() -> cl.CustomComparison:
    """One comparison for the address, so a shared address counts once (the UPRN and the
    postcode are far from independent; scoring both would link people of one household).
    The same UPRN first; then the same postcode; a record with neither is neutral."""
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel("(uprn_l IS NULL OR uprn_r IS NULL) AND "
                            "(postcode_l IS NULL OR postcode_r IS NULL)").configure(
                is_null_level=True, label_for_charts="UPRN or postcode missing"),
            cll.ExactMatchLevel("uprn"),
            cll.ExactMatchLevel("postcode"),
            cll.ElseLevel(),
        ],
    )


def settings(link_type: str = "dedupe_only", unique_id: str = "record_key") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name=unique_id,
        comparisons=[
            forename_comparison(),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            address_comparison(),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=list(PREDICTION_RULES),
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source_dataset"],
        # Levels that true matches (almost) never reach shrink geometrically under EM; Splink
        # refuses an m below 1e-300, which 25 iterations can reach. Ten are enough to converge
        # on these comparisons.
        max_iterations=10,
    )


def deterministic_settings(unique_id: str = "record_key") -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=unique_id,
        blocking_rules_to_generate_predictions=list(DETERMINISTIC_RULES),
        retain_matching_columns=False,
    )


def with_unique_id(trained: dict[str, Any], unique_id: str) -> dict[str, Any]:
    """A saved model keyed on another column (the parameters do not depend on it)."""
    return {**trained, "unique_id_column_name": unique_id}


def tf_columns(trained: dict[str, Any]) -> list[str]:
    """The columns a saved model adjusts for term frequency."""
    columns = {level["tf_adjustment_column"] for c in trained["comparisons"]
               for level in c["comparison_levels"] if level.get("tf_adjustment_column")}
    return sorted(columns)


def for_dialect(trained: dict[str, Any], backend: str) -> dict[str, Any]:
    """A saved model for another backend: the same settings built by Splink for that backend's
    SQL dialect, with the trained m and u probabilities and prior copied level by level."""
    target = "spark" if backend == "spark" else "duckdb"
    if trained.get("sql_dialect", "duckdb") == target:
        return trained
    fresh: dict[str, Any] = settings().get_settings(target).as_dict()  # type: ignore[no-untyped-call]
    fresh["probability_two_random_records_match"] = trained[
        "probability_two_random_records_match"]
    for new, old in zip(fresh["comparisons"], trained["comparisons"], strict=True):
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"],
                                        strict=True):
            for name in ("m_probability", "u_probability"):
                if name in old_level:
                    new_level[name] = old_level[name]
    return fresh


def to_pandas(table: Any) -> pd.DataFrame:
    """A Splink result table as a pandas DataFrame (Splink's own method is untyped)."""
    frame: pd.DataFrame = table.as_pandas_dataframe()
    return frame


def scored_pairs(linker: Any, table: Any) -> pd.DataFrame:
    """Splink's scored pairs as a pandas DataFrame without the raw values compared
    (``forename_l``, ``dob_r``, ...): the keys, sources, levels and weights are what clustering
    and the review queue read, and at 1,000,000 records the values were most of the memory."""
    compared = {f"{c}_{side}" for c in ("forename", "forename_canonical", "surname", "dob",
                                        "postcode", "uprn", "nhs_number", "sex")
                for side in "lr"}
    columns = [c for c in table.columns if c.unquote().name not in compared]
    sql = f"SELECT {', '.join(c.name for c in columns)} FROM {table.physical_name}"
    frame: pd.DataFrame = linker.misc.query_sql(sql, output_type="pandas")
    return frame


def database_api(backend: str, workdir: Path) -> Any:
    """The Splink backend object: an in-memory DuckDB database that spills to the (temporary)
    linkage workspace when memory runs short, or Spark in local mode. pyspark is imported only
    when Spark is asked for.

    In memory because Splink writes every intermediate table (comparison vectors, blocked pairs,
    scores) and a database file made each of them a disk write: at 100,000 records training
    and scoring took about 0.4 s more CPU (of 3.3 s) on a file."""
    if backend == "duckdb":
        con = duckdb.connect(":memory:", config={"temp_directory": str(workdir / "spill")})
        return DuckDBAPI(con)
    if backend == "spark":
        from wholeplace.residents.spark import spark_api

        return spark_api(workdir)
    raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def close(api: Any) -> None:
    """Free the linkage database's memory now (a DuckDB backend), not when it is collected."""
    if isinstance(api, DuckDBAPI):
        api.duckdb_con.close()
