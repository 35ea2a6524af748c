"""The one Parquet reader: the frames pandas would return, and no Arrow thread left to abort the process at exit.

CI once saw `lscb run` (refusing a quarter the store lacks) killed by SIGABRT after printing its error:
"terminate called without an active exception" from Arrow's thread pools torn down at exit
(apache/arrow#34314). ``lscb_analysis.parquet.read_parquet`` never starts those pools.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from lscb_analysis.parquet import read_parquet
from lscb_analysis.store.tables import empty_log, empty_qa, empty_store
from lscb_analysis.tidy import STORE_COLUMNS


def _frame() -> pd.DataFrame:
    """A frame with every kind of column the store and the caches write."""
    return pd.DataFrame(
        {
            "period": pd.period_range("2025Q1", periods=4, freq="Q-MAR"),
            "text": ["a", None, "c", "d"],
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "rate": [0.5, np.nan, 1.5, 2.0],
            "flag": [True, False, True, False],
            "stamp": pd.to_datetime(["2025-01-01", "2025-02-01", None, "2025-04-01"]),
            "kind": pd.Categorical(["x", "y", "x", "y"]),
        }
    )


@pytest.mark.parametrize(
    "frame",
    [_frame(), empty_store(), empty_log(), empty_qa("qa_audits"), _frame().set_index("text")],
    ids=["mixed", "empty-store", "empty-log", "empty-audits", "indexed"],
)
def test_reads_what_pandas_reads(tmp_path, frame):
    f = tmp_path / "t.parquet"
    frame.to_parquet(f)
    got = read_parquet(f)
    pd.testing.assert_frame_equal(got, pd.read_parquet(f))  # noqa: TID251 - the behaviour it must match
    pd.testing.assert_frame_equal(got, frame, check_categorical=False)


def test_the_store_table_columns_survive(tmp_path):
    f = tmp_path / "figures.parquet"
    empty_store().to_parquet(f, index=False)
    assert list(read_parquet(f).columns) == list(empty_store().columns)
    assert set(STORE_COLUMNS) <= set(read_parquet(f).columns)


def test_a_file_that_is_not_parquet_raises_a_value_error(tmp_path):
    f = tmp_path / "bad.parquet"
    f.write_bytes(b"not parquet at all")
    with pytest.raises(ValueError, match="Parquet"):  # pyarrow.ArrowInvalid is a ValueError
        read_parquet(f)


_THREADS = textwrap.dedent(
    """
    import os, sys
    import pandas as pd
    from lscb_analysis.parquet import read_parquet
    def threads():
        return len(os.listdir("/proc/self/task"))
    pd.DataFrame({"a": range(100_000), "b": ["x"] * 100_000}).to_parquet(sys.argv[2])
    before = threads()
    for _ in range(3):
        pd.read_parquet(sys.argv[2]) if sys.argv[1] == "pandas" else read_parquet(sys.argv[2])  # noqa: TID251
    print(threads() - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts the process's threads in /proc")
def test_reading_starts_no_thread(tmp_path):
    """Arrow's pools start threads that outlive the read; the one reader starts none (a control: the count works)."""

    def started(reader: str) -> int:
        r = subprocess.run(
            [sys.executable, "-c", _THREADS, reader, str(tmp_path / f"{reader}.parquet")],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(r.stdout)

    assert started("pandas") > 0, "the control: pandas.read_parquet starts Arrow's thread pools"
    assert started("ours") == 0
