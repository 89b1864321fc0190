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
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, break_lineage_method="parquet")
