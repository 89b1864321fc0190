"""Splink's Spark backend in local mode. pyspark (and Java 17 or later) are needed only here."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def spark_api(workdir: Path) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is in the test extra
        raise ImportError("The Spark backend needs pyspark: pip install 'wholeplace[spark]' "
                          "(and a Java 17+ runtime, e.g. Debian's default-jre-headless).") from exc
    from splink.backends.spark import SparkAPI, similarity_jar_location

    session = (SparkSession.builder.master("local[2]").appName("wholeplace-residents")
               .config("spark.jars", similarity_jar_location())  # Splink's string UDFs
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "4")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.local.dir", str(workdir / "spark"))
               .config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(workdir / "spark-checkpoints"))
    api = SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, break_lineage_method="parquet")
    _duckdb_similarity(session)
    return api


def _duckdb_similarity(session: Any) -> None:
    """Replace the jar's Jaro-Winkler and Damerau-Levenshtein (registered by ``SparkAPI``)
    with DuckDB's definitions (``residents.similarity``), so both backends put a pair in the
    same comparison level. Python UDFs: slower than the jar's, exact where it is not."""
    from pyspark import cloudpickle
    from pyspark.sql.types import DoubleType

    from wholeplace.residents import similarity

    # Shipped to the executors with the functions: they need not have wholeplace installed.
    cloudpickle.register_pickle_by_value(similarity)  # type: ignore[no-untyped-call]
    session.udf.register("jaro_winkler", similarity.jaro_winkler, DoubleType())
    session.udf.register("jaro_sim", similarity.jaro, DoubleType())
    session.udf.register("damerau_levenshtein", similarity.damerau_levenshtein, DoubleType())
