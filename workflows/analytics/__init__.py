"""The analytics workflow: export a snapshot to Parquet, turn it into insights with Spark.

    export.py     the snapshot, read through the ports, written as Parquet by day (pyarrow)
    snapshot.py   what is read: one dataset per record kind, as rows with a day
    datasets.py   each dataset's columns (one schema for pyarrow and Spark)
    spark.py      the one SparkSession of a process (local[*] or a standalone master)
    insights.py   the batch insights, each a function of the exported frames
    run.py        one run: export, compute, retry, store; what `townsquare analytics` runs
    charts.py     a Vega-Lite chart of each stored insight (altair), as JSON, SVG or PNG

Nothing here is imported by a function at import time: pyspark, pyarrow and altair are
the `analytics` extra, loaded when a run or a chart is asked for.
"""
