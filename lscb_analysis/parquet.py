"""Reading the workbench's Parquet files (the store, the cached summaries, LAIT's data) without Arrow's threads.

``pandas.read_parquet`` reads through Arrow's dataset scanner, which starts Arrow's CPU and I/O thread pools.
Those pools are C++ statics: a process that exits while one of their threads is still being retired can be
killed by ``std::terminate`` ("terminate called without an active exception", exit -6), after its work is done
and its exit code chosen (apache/arrow#34314). It happened to `lscb run` refusing a quarter the store lacks.
The files here are small (the largest, LAIT's data, is about 2 MB), so :func:`read_parquet` reads the file's bytes
and decodes them in this thread: no Arrow thread is ever started. Its frames are those of ``pandas.read_parquet``
(same columns, dtypes and values; tested on every table the store writes). Writing (``DataFrame.to_parquet``)
starts no Arrow thread.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["read_parquet"]


def read_parquet(path: str | Path) -> pd.DataFrame:
    """The Parquet file at ``path`` as ``pandas.read_parquet`` returns it, decoded without Arrow's thread pools.

    Raises
    ------
    OSError
        The file cannot be read (missing, a folder, no permission).
    pyarrow.ArrowInvalid
        The file is not Parquet, or is truncated.
    """
    data = Path(path).read_bytes()
    table = pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False, use_pandas_metadata=True)
    return table.to_pandas(use_threads=False)
