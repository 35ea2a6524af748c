"""Benchmark: ingest ten years (40 quarters) of the demo partnership's returns, every provider.

Generates the returns with :func:`lscb_analysis.demo.generate_demo` into a
temporary copy of the project (the real ``data/`` is never touched), then times
what ``lscb ingest`` does for all 40 quarters (:func:`lscb_analysis.ingest.ingest_quarters`, then
:func:`lscb_analysis.publish.quality_pages.write_quality_pages`):

* ``cold``: into an empty store (validation, store write, 40 data-quality pages);
* ``reingest``: the same quarters again (nothing changes; the store is not rewritten).

Each is run ``--repeat`` times (fresh store for ``cold``) and the best and median
are reported. The target is under 10 seconds for ``cold``. Prints a summary and
writes ``bench/results/ingest.json``.

Usage::

    .venv/bin/python bench/ingest.py [--quarters 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0


def _project(tmp: Path) -> Path:
    dst = tmp / "project"
    shutil.copytree(ROOT / "parameters", dst / "parameters")
    shutil.copytree(ROOT / "data" / "raw" / "dfe", dst / "data" / "raw" / "dfe")
    (dst / "data" / "processed").mkdir(parents=True)
    (dst / "reports").mkdir()
    return dst


def _ingest(quarters: list, root: Path) -> object:
    """What ``lscb ingest`` does: validate into the store, then write each quarter's data-quality pages."""
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.publish.quality_pages import write_quality_pages

    res = ingest_quarters(quarters, root)
    write_quality_pages(res.quarters, root)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarters", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.json")
    args = ap.parse_args(argv)

    from lscb_analysis.demo import DEMO_LAST, generate_demo
    from lscb_analysis.returns.folders import return_folders

    with tempfile.TemporaryDirectory(prefix="lscb-bench-") as tmp:
        root = _project(Path(tmp))
        first = DEMO_LAST + (-(args.quarters - 1))
        t = time.perf_counter()
        written = generate_demo(root, first=first, last=DEMO_LAST)
        gen = time.perf_counter() - t
        quarters = list(return_folders(root))
        n_files = len(written) - 1
        n_rows = sum(sum(1 for _ in open(f, encoding="utf-8")) - 1 for f in written[1:])
        print(
            f"generated {n_files} return files ({n_rows} rows) for {len(quarters)} quarters "
            f"({quarters[0].code} to {quarters[-1].code}) in {gen:.1f}s"
        )
        _ingest(quarters[:1], root)  # warm imports (openpyxl, pyarrow) outside the timing
        cold, warm = [], []
        result = None
        for _ in range(args.repeat):
            shutil.rmtree(root / "data" / "processed")
            (root / "data" / "processed").mkdir()
            t = time.perf_counter()
            result = _ingest(quarters, root)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            again = _ingest(quarters, root)
            warm.append(time.perf_counter() - t)
            assert again.changed == 0
        assert result is not None
        summary = {
            "benchmark": "ingest",
            "quarters": len(quarters),
            "files": len(result.files),
            "rows": result.rows,
            "accepted_files": len(result.accepted),
            "rejected_files": len(result.rejected),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "cold_seconds": {
                "best": round(min(cold), 3),
                "median": round(statistics.median(cold), 3),
                "runs": [round(x, 3) for x in cold],
            },
            "reingest_seconds": {
                "best": round(min(warm), 3),
                "median": round(statistics.median(warm), 3),
                "runs": [round(x, 3) for x in warm],
            },
            "target_seconds": TARGET_SECONDS,
            "meets_target": max(cold) < TARGET_SECONDS,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    print(
        f"ingest of {summary['quarters']} quarters, {summary['files']} files, {summary['rows']} figures: "
        f"cold best {summary['cold_seconds']['best']:.2f}s (median {summary['cold_seconds']['median']:.2f}s), "
        f"re-ingest best {summary['reingest_seconds']['best']:.2f}s; target < {TARGET_SECONDS:.0f}s: "
        f"{'met' if summary['meets_target'] else 'NOT met'}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if summary["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
