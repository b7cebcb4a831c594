"""Splink on Spark: the same pipeline for bases that outgrow one machine.

Selected with ``SOCIUS_DUPLICATES_BACKEND=spark``; ``SOCIUS_DUPLICATES_SPARK_MASTER`` names
the cluster (``local[2]`` by default: Spark inside the worker process, which is how the
tests run it). pyspark and a Java runtime (17 or newer) must be installed; the
string-similarity functions come as a JAR inside the splink package itself. Spark writes
intermediate results under a checkpoint folder and shuffle files under a scratch folder,
here temporary ones per run, on the worker's machine: with a remote cluster, point them at
storage every node reaches (a shared filesystem) instead.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings


@contextmanager
def spark_api() -> Iterator[Any]:
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    logging.getLogger("py4j").setLevel(logging.WARNING)  # it chats at every garbage collection
    master = settings.DUPLICATES_SPARK_MASTER
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="socius-spark-") as folder:
        spark = (
            SparkSession.builder.master(master)
            .appName("socius-duplicates")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.warehouse.dir", os.path.join(folder, "warehouse"))
            .config("spark.local.dir", os.path.join(folder, "scratch"))
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(os.path.join(folder, "checkpoints"))
        try:
            yield SparkAPI(spark_session=spark)
        finally:
            spark.stop()
