"""Benchmark: a region's ingest and pack for 6 and for 33 partnerships over ten years (40 quarters).

For each size, a synthetic region (:func:`lscb_analysis.region.demo.synthetic_region`:
the demo region's common definitions, members ``P01``... with their own
levels, every member's shared files written through ``lscb share``'s writer)
is generated in a temporary folder (``demo/`` is never touched), then timed:

* ``ingest``: what ``lscb region ingest --quarter all`` does, into an empty store
  (every file checked against its manifest, the store written once);
* ``pack``: what ``lscb region run --force`` does for the latest quarter, tables only
  (``charts=False``: the comparison and every page) and with the charts;
* ``rerun-none``: ``lscb region run`` again with nothing changed (the incremental
  build: nothing rendered, nothing written);
* ``rerun-one``: ``lscb region run`` after one partnership sent its file again with
  one indicator's figure revised and it was ingested (untimed): that indicator's page,
  the front page, the partnerships' pages and ``region.csv`` are rendered again.

The re-runs are printed as ratios of the pack with charts (``rerun-none/pack``,
``rerun-one/pack``), on wall-clock and CPU time.

Each is run ``--repeat`` times; the best wall-clock and CPU times are used (CPU
time is the steadier measure on a shared machine). Cost should grow linearly
with partnerships: the ratio of the 33-partnership time to the 6-partnership
time is printed beside 33 / 6 = 5.5 (a ratio at or below it is linear or
better, since part of each cost is fixed). No assertion on times; prints a
summary and writes ``bench/results/region.json``.

Usage::

    .venv/bin/python bench/region.py [--quarters 40] [--repeat 2] [--sizes 6 33]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(repeat: int, run, reset=None) -> tuple[float, float]:  # noqa: ANN001
    """Best wall-clock and best CPU seconds of ``repeat`` runs (CPU time is steadier on a shared machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        if reset:
            reset()
        t, c = time.perf_counter(), time.process_time()
        run()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu


def _measure(size: int, quarters: int, repeat: int, tmp: Path) -> dict:
    from lscb_analysis.publish.region_pack import write_region_pack
    from lscb_analysis.region.collect import ingest_region, shared_folders
    from lscb_analysis.region.demo import resend_with_revision, synthetic_region
    from lscb_analysis.region.settings import load_region

    template = load_region(ROOT / "demo" / "region")
    root = synthetic_region(tmp / f"region{size}", template, members=size, quarters=quarters)
    qs = list(shared_folders(root))
    processed = root / "data" / "processed"

    def reset() -> None:
        shutil.rmtree(processed, ignore_errors=True)

    def revise() -> None:  # one partnership's figure for one indicator, sent again and ingested
        resend_with_revision(root, qs[-1], "P01", "cpp_rate", add=1)
        ingest_region(qs[-1:], root)

    ingest = _time(repeat, lambda: ingest_region(qs, root), reset)
    tables = _time(repeat, lambda: write_region_pack(qs[-1], root, charts=False, force=True))
    charts = _time(repeat, lambda: write_region_pack(qs[-1], root, charts=True, force=True))
    none = _time(repeat, lambda: _expect(write_region_pack(qs[-1], root), 0))
    one = _time(repeat, lambda: _expect(write_region_pack(qs[-1], root), 2 + size + 1), revise)
    files = sum(1 for _ in (root / "data" / "raw" / "shared").rglob("*.csv"))
    out: dict = {"partnerships": size, "quarters": len(qs), "files": files}
    timed = (("ingest", ingest), ("pack_tables", tables), ("pack_with_charts", charts))
    for name, (wall, cpu) in (*timed, ("rerun_none", none), ("rerun_one", one)):
        out[f"{name}_seconds"] = round(wall, 3)
        out[f"{name}_cpu_seconds"] = round(cpu, 3)
    for name, (wall, cpu) in (("rerun_none", none), ("rerun_one", one)):
        out[f"{name}/pack"] = round(wall / charts[0], 3)
        out[f"{name}/pack_cpu"] = round(cpu / charts[1], 3)
    return out


def _expect(pack, rebuilt: int) -> None:  # noqa: ANN001
    """The re-run rendered what it should (the index, one indicator's page, every partnership's page, the CSV)."""
    if len(pack.rebuilt) != rebuilt:
        raise SystemExit(f"expected {rebuilt} files rebuilt, got {pack.rebuilt}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarters", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", type=int, nargs=2, default=[6, 33])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "region.json")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="lscb-bench-region-") as tmp:
        _measure(2, 2, 1, Path(tmp))  # warm imports (pyarrow, matplotlib, scipy) outside the timing
        small, large = (_measure(s, args.quarters, args.repeat, Path(tmp)) for s in args.sizes)
    scale = large["partnerships"] / small["partnerships"]
    keys = [f"{n}_{kind}seconds" for n in ("ingest", "pack_tables", "pack_with_charts") for kind in ("", "cpu_")]
    ratios = {k: round(large[k] / small[k], 2) for k in keys}
    for r in (small, large):
        print(
            f"{r['partnerships']:>3} partnerships, {r['quarters']} quarters, {r['files']} files: "
            f"ingest {r['ingest_seconds']:.2f}s (CPU {r['ingest_cpu_seconds']:.2f}s), "
            f"pack (tables) {r['pack_tables_seconds']:.2f}s (CPU {r['pack_tables_cpu_seconds']:.2f}s), "
            f"pack (with charts) {r['pack_with_charts_seconds']:.2f}s (CPU {r['pack_with_charts_cpu_seconds']:.2f}s)"
        )
    print(f"ratio {large['partnerships']}/{small['partnerships']} partnerships = {scale:.2f}; time ratios:")
    for k, v in ratios.items():
        print(f"  {k}: {v:.2f} ({'linear or better' if v <= scale * 1.1 else 'WORSE than linear'})")
    print("incremental builds (lscb region run against the pack with charts, --force):")
    for r in (small, large):
        print(
            f"  {r['partnerships']:>3} partnerships: rerun-none {r['rerun_none_seconds']:.2f}s, "
            f"rerun-none/pack = {r['rerun_none/pack']:.3f} (CPU {r['rerun_none/pack_cpu']:.3f}); "
            f"rerun-one {r['rerun_one_seconds']:.2f}s, "
            f"rerun-one/pack = {r['rerun_one/pack']:.3f} (CPU {r['rerun_one/pack_cpu']:.3f})"
        )
    summary = {
        "benchmark": "region",
        "sizes": [small, large],
        "partnership_ratio": round(scale, 2),
        "time_ratios": ratios,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
