"""How the pack and the ingest grow with the work.

Each scenario runs in a throwaway copy of the project (parameters, notebooks,
DfE files) with freshly generated demo returns:

* 1, 5 and 10 years of quarterly data (all providers, all indicators);
* 5 breakdowns for every indicator that has a breakdown (4 years of data);
* the full DfE benchmark: the benchmark table of every published indicator
  for all 153 authorities.

For each it prints and records the ingest time, the pack time (``lscb run``
for the whole quarter) and the largest published HTML page. Results go to
``bench/results/scale.json``. Expect ingest to grow roughly linearly with the
data, and the pack to stay dominated by kernel start-up at the demo size.

Usage: ``python bench/scale.py [--years 1 5 10] [--skip-pack] [--skip-dfe]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lscb_analysis.parameters.yamlio import read_yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
BREAKDOWN_POOL = ["locality", "age_band", "ethnicity", "gender", "cp_category", "referring_agency"]


def _copy_project(dst: Path) -> Path:
    for sub in ("parameters", "notebooks"):
        shutil.copytree(ROOT / sub, dst / sub, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "deep_dives"))
    (dst / "notebooks" / "deep_dives").mkdir(exist_ok=True)
    shutil.copytree(ROOT / "data" / "raw" / "dfe", dst / "data" / "raw" / "dfe")
    for d in ("data/processed", "reports", "data/raw/population"):
        (dst / d).mkdir(parents=True, exist_ok=True)
    return dst


def _five_breakdowns(root: Path) -> None:
    """Give every indicator that has breakdowns five of them (the catalogue copy only)."""
    f = root / "parameters" / "indicators.yaml"
    cat = read_yaml(f)
    dims = [d for d in BREAKDOWN_POOL if d in cat["breakdowns"]]
    for ind in cat["indicators"]:
        if ind.get("breakdowns"):
            extra = [d for d in dims if d not in ind["breakdowns"]]
            ind["breakdowns"] = (list(ind["breakdowns"]) + extra)[:5]
    f.write_text(yaml.safe_dump(cat, sort_keys=False, allow_unicode=True))


def _scenario(name: str, years: int, *, five_breakdowns: bool, pack: bool) -> dict[str, object]:
    from lscb_analysis.demo import DEMO_LAST, generate_demo
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.publish.quality_pages import write_quality_pages
    from lscb_analysis.returns.folders import return_folders

    with tempfile.TemporaryDirectory(prefix="lscb-scale-") as tmp:
        root = _copy_project(Path(tmp) / "project")
        if five_breakdowns:
            _five_breakdowns(root)
        files = generate_demo(root, first=DEMO_LAST + (1 - 4 * years), last=DEMO_LAST)
        t = time.perf_counter()
        res = ingest_quarters(list(return_folders(root)), root)
        write_quality_pages(res.quarters, root)  # as `lscb ingest` does
        ingest_s = time.perf_counter() - t
        row: dict[str, object] = {
            "scenario": name,
            "years": years,
            "files": len(files) - 1,
            "figures": res.rows,
            "ingest_s": round(ingest_s, 2),
        }
        if pack:
            t = time.perf_counter()
            r = subprocess.run(
                [str(BIN / "lscb"), "run", "--quarter", "latest", "--root", str(root)], capture_output=True, text=True
            )
            row["pack_s"] = round(time.perf_counter() - t, 1)
            row["pack_ok"] = r.returncode == 0
            pages = list((root / "reports").rglob("*.html"))
            row["largest_html_kb"] = round(max(p.stat().st_size for p in pages) / 1024) if pages else None
        return row


def _dfe_all_authorities() -> dict[str, object]:
    from lscb_analysis.benchmark import authority_table, benchmark_table
    from lscb_analysis.parameters.benchmark_measures import load_benchmark_measures

    measures = load_benchmark_measures(ROOT / "parameters" / "benchmark_measures.yaml")
    table = authority_table(ROOT / "data" / "raw" / "dfe")
    latest = table.last_year.max()
    codes = sorted(set(table[table.last_year == latest].old_la_code))  # authorities that exist now
    t = time.perf_counter()
    rows = 0
    done = 0
    for code in codes:
        for ind in measures.indicators:
            try:
                rows += len(benchmark_table(code, ind, data_dir=ROOT / "data" / "raw" / "dfe", measures=measures))
            except ValueError:
                continue  # an authority in no statistical neighbour model
        done += 1
    return {
        "scenario": "DfE benchmark, all authorities",
        "authorities": done,
        "indicators": len(measures.indicators),
        "rows": rows,
        "seconds": round(time.perf_counter() - t, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, nargs="+", default=[1, 5, 10])
    ap.add_argument("--skip-pack", action="store_true")
    ap.add_argument("--skip-dfe", action="store_true")
    args = ap.parse_args(argv)
    out = []
    for y in args.years:
        out.append(_scenario(f"{y} year(s) of quarterly data", y, five_breakdowns=False, pack=not args.skip_pack))
        print(out[-1], flush=True)
    out.append(_scenario("5 breakdowns per indicator (4 years)", 4, five_breakdowns=True, pack=not args.skip_pack))
    print(out[-1], flush=True)
    if not args.skip_dfe:
        out.append(_dfe_all_authorities())
        print(out[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(out, indent=2))
    print(f"wrote {RESULTS / 'scale.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
