"""Benchmark: the quarterly pack against the obvious shell loop, and against the machine's floor.

Three timings on the same machine, data and notebooks:

* **pack**: ``lscb run`` for a full quarter (core data set, every sub-group
  report, explorer and deep dives; HTML, index and, when Chromium is
  installed, ``board_pack.pdf``; the PDF alone is timed too, as **pdf**);
* **naive**: the same notebooks executed one by one with the ``papermill``
  command line, then each converted with ``jupyter nbconvert --no-input``;
* **floor**: the time to start one kernel and import what a report notebook
  imports (:data:`lscb_analysis.publish.kernels.REPORT_MODULES`), times the number of
  notebooks, divided by the cores used.

``lscb run`` forks each notebook's kernel from a template that has imported
those modules once (:mod:`lscb_analysis.publish.kernels`), so it pays less than the
floor per notebook; the script also times that (template imports once, then
one forked kernel start), so the comparison is open.

It prints the three times with ``pack/naive`` and ``pack/floor`` and writes
them to ``bench/results/pack.json``. Run it with ``make bench`` (the store must
exist: ``make bench`` ingests first). Goals on a 2-core machine:
``pack/naive <= 0.25`` and ``pack/floor <= 1.3``.

Usage: ``python bench/pack.py [--quarter Q] [--workers N] [--skip-naive]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


def notebook_imports() -> str:
    """What a report notebook imports, directly or when it runs (checked by tests/test_kernels.py)."""
    from lscb_analysis.publish.kernels import REPORT_MODULES

    return "\n".join(f"import {m}" for m in REPORT_MODULES)


def _time(cmd: list[str], **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, **kw)
    return time.perf_counter() - t


def time_pack(quarter: str, workers: int | None) -> tuple[float, int]:
    """Wall time of ``lscb run`` for the quarter, and the number of notebooks it ran."""
    cmd = [str(BIN / "lscb"), "run", "--quarter", quarter]
    if workers:
        cmd += ["--workers", str(workers)]
    elapsed = _time(cmd, cwd=ROOT)
    from lscb_analysis.periods import Quarter

    runs = json.loads((ROOT / "reports" / Quarter.parse(quarter).slug / "run.json").read_text())
    failed = [r["name"] for r in runs if not r["ok"]]
    if failed:
        raise SystemExit(f"the pack had failures, timings would mislead: {failed}")
    return elapsed, len(runs)


def time_pdf(quarter: str) -> float | None:
    """Wall time of printing the built pack to ``board_pack.pdf`` (None: no Chromium or no PDF extra here)."""
    from lscb_analysis.periods import Quarter
    from lscb_analysis.publish.pdf import PdfUnavailableError, build_board_pack

    t = time.perf_counter()
    try:
        build_board_pack(ROOT / "reports" / Quarter.parse(quarter).slug)
    except PdfUnavailableError as exc:
        print(f"pdf   : not built ({exc})")
        return None
    return time.perf_counter() - t


def time_naive(quarter: str) -> tuple[float, int]:
    """The shell loop an analyst would write: papermill CLI then nbconvert CLI, one notebook at a time."""
    from lscb_analysis.periods import Quarter
    from lscb_analysis.publish.plan import plan_reports

    specs = plan_reports(Quarter.parse(quarter), root=ROOT)
    out = Path(tempfile.mkdtemp(prefix="lscb-naive-"))
    t = time.perf_counter()
    try:
        for s in specs:
            target = out / f"{s.name}.ipynb"
            cmd = [
                str(BIN / "papermill"),
                str(s.notebook),
                str(target),
                "--cwd",
                str(s.notebook.parent),
                "-k",
                "python3",
                "--no-progress-bar",
            ]
            for k, v in s.parameters.items():
                cmd += ["-p", k, str(v)]
            subprocess.run(cmd, check=True, capture_output=True)
            subprocess.run(
                [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)],
                check=True,
                capture_output=True,
            )
        return time.perf_counter() - t, len(specs)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def time_validation_errors() -> dict[str, float]:
    """How fast `lscb run` refuses bad parameters (the skeleton issue asks for under 5 s)."""
    out = {}
    for name, args in (
        ("bad_quarter", ["--quarter", "1999-00 Q5"]),
        ("unknown_subgroup", ["--quarter", "latest", "--subgroup", "nope"]),
    ):
        t = time.perf_counter()
        r = subprocess.run([str(BIN / "lscb"), "run", *args], cwd=ROOT, capture_output=True, text=True)
        out[name] = round(time.perf_counter() - t, 2)
        if r.returncode != 2:
            raise SystemExit(f"lscb run {' '.join(args)} exited {r.returncode}, expected 2")
    return out


def time_kernel_floor(repeat: int = 3) -> float:
    """Median time to start a fresh kernel and run the report notebooks' imports."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeat):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(notebook_imports())])
        t = time.perf_counter()
        NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def time_forked_kernel(repeat: int = 3) -> tuple[float, float]:
    """What ``lscb run`` pays instead: the template's one-off imports, and the median forked kernel start + imports."""
    import nbformat
    from nbclient import NotebookClient

    from lscb_analysis.publish.kernels import KernelTemplate, TemplateClient, kernels_from

    t = time.perf_counter()
    with KernelTemplate() as template:
        client = TemplateClient(template.address)
        if not client.wait_ready():
            raise SystemExit(f"the kernel template failed: {client.error}")
        once = time.perf_counter() - t
        times = []
        for _ in range(repeat):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(notebook_imports())])
            t = time.perf_counter()
            with kernels_from(template):
                NotebookClient(
                    nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
                ).execute()
            times.append(time.perf_counter() - t)
        client.close()
    return once, sorted(times)[len(times) // 2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarter", default="latest")
    ap.add_argument("--workers", type=int, default=None, help="notebooks at once (default: cores)")
    ap.add_argument("--skip-naive", action="store_true", help="skip the slow naive loop")
    args = ap.parse_args(argv)
    from lscb_analysis.cli import resolve_quarter

    quarter = resolve_quarter(args.quarter, ROOT).code
    cores = args.workers or os.cpu_count() or 1
    print(f"benchmarking {quarter} on {os.cpu_count()} cores ({cores} workers)", flush=True)

    refusals = time_validation_errors()
    print(f"bad parameters refused in: {refusals} s (goal < 5 s)")
    kernel = time_kernel_floor()
    template_once, forked = time_forked_kernel()
    pack, n = time_pack(quarter, args.workers)
    pdf = time_pdf(quarter)
    floor = kernel * n / cores
    result = {
        "quarter": quarter,
        "notebooks": n,
        "cores": os.cpu_count(),
        "workers": cores,
        "kernel_start_and_imports_s": round(kernel, 2),
        "template_imports_once_s": round(template_once, 2),
        "forked_kernel_start_s": round(forked, 2),
        "pack_s": round(pack, 1),
        "floor_s": round(floor, 1),
        "pack_over_floor": round(pack / floor, 2),
        "refusal_s": refusals,
        "pdf_s": round(pdf, 1) if pdf is not None else None,
    }
    print(f"kernel start + imports: {kernel:.2f} s; {n} notebooks")
    print(
        f"lscb run instead forks each kernel from a template: {forked:.2f} s per kernel, after the template's "
        f"imports once ({template_once:.2f} s); that is why the pack can beat the floor"
    )
    print(f"pack  : {pack:7.1f} s")
    if pdf is not None:
        print(f"pdf   : {pdf:7.1f} s   (part of the pack: printing it to board_pack.pdf, {pdf / pack:.0%})")
    print(f"floor : {floor:7.1f} s   pack/floor = {pack / floor:.2f}  (goal <= 1.3)")
    if not args.skip_naive:
        naive, _ = time_naive(quarter)
        result.update({"naive_s": round(naive, 1), "pack_over_naive": round(pack / naive, 3)})
        print(f"naive : {naive:7.1f} s   pack/naive = {pack / naive:.3f}  (goal <= 0.25)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pack.json").write_text(json.dumps(result, indent=2))
    print(f"wrote {RESULTS / 'pack.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
