"""Benchmark: the quarterly pack against the obvious shell loop and the machine's floor, and incremental re-runs.

Timings on the same machine, data and notebooks, in one run:

* **pack**: ``lscb run --force`` for a full quarter (core data set, every
  sub-group report, explorer and worked examples; HTML, index and, when Chromium
  is installed, ``board_pack.pdf`` printed anew: each report's page prints as soon as the report is
  published, while the other notebooks run, so the PDF's share printed is what is left after the last one),
  with the peak memory of its processes;
* **rerun-none**: ``lscb run`` again, nothing changed (every report reused,
  nothing written, the PDF kept);
* **rerun-one**: ``lscb run`` after editing one sub-group's narrative (that
  report refreshed in ``lscb run``'s own process: its narrative rendered again in
  its executed notebook, its figures kept, :mod:`lscb_analysis.publish.refresh`;
  the run page written, the front page kept, which reads no narrative; its page of
  the PDF reprinted); the narrative is then restored and the pack brought back up
  to date;
* **rerun-one executed** (for comparison, not a goal): ``lscb run --subgroup <it>
  --force``, what the same report costs when it must be executed (an edit to its
  figures, or to its commentary on an indicator);
* **naive**: the same notebooks executed one by one with the ``papermill``
  command line, then each converted with ``jupyter nbconvert --no-input``;
* **floor**: the time to start one kernel and import what a report notebook
  imports (:data:`lscb_analysis.publish.kernels.REPORT_MODULES`), times the number of
  notebooks, divided by the cores used.

``lscb run`` forks each notebook's kernel from a template that has imported
those modules once (:mod:`lscb_analysis.publish.kernels`), so it pays less than the
floor per notebook; the script also times that (template imports once, then
one forked kernel start), so the comparison is open.

It prints ``pack/naive``, ``pack/floor``, ``rerun-none/pack`` and ``rerun-one/pack``
and writes them to ``bench/results/pack.json``. Run it with ``make bench`` (the
store must exist: ``make bench`` ingests first). Goals on a 2-core machine:
``pack/naive <= 0.2``, ``pack/floor <= 1.0``, ``rerun-none/pack <= 0.05``,
``rerun-one/pack <= 0.15``.

Usage: ``python bench/pack.py [--quarter Q] [--workers N] [--skip-naive]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
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


def _tree_rss(proc: psutil.Process) -> int:  # noqa: F821 - psutil is imported where it is used
    """Resident memory of a process and its descendants, in bytes (pages shared by forks count in each)."""
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_lscb(quarter: str, workers: int | None, *extra: str) -> tuple[float, int, str]:
    """Wall time of ``lscb run`` for the quarter, the peak memory of its processes, and what it printed."""
    import psutil

    cmd = [str(BIN / "lscb"), "run", "--quarter", quarter, *extra]
    if workers:
        cmd += ["--workers", str(workers)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            peak = max(peak, _tree_rss(watched))
        except psutil.Error:
            pass
        time.sleep(0.2)
    elapsed = time.perf_counter() - t
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"lscb run {' '.join(extra)} exited {proc.returncode}, timings would mislead:\n{stderr}")
    return elapsed, peak, stdout + stderr


def pack_reports(quarter: str) -> int:
    """The number of reports in the pack's ``run.json``."""
    from lscb_analysis.periods import Quarter

    return len(json.loads((ROOT / "reports" / Quarter.parse(quarter).slug / "run.json").read_text()))


def pdf_seconds(printed: str) -> float | None:
    """The PDF's time, from the line ``lscb run`` prints (None: no PDF here, and why is printed)."""
    found = re.search(r"PDF of the pack: .*; ([0-9.]+)s\)", printed)
    if found is None:
        print(next((line for line in printed.splitlines() if "no PDF" in line), "pdf   : not built"))
        return None
    return float(found.group(1))


def narrative_edited(quarter: str) -> Path:
    """The narrative the rerun-one timing edits: the first sub-group's of the quarter that has one."""
    from lscb_analysis.parameters.catalogue import load_catalogue
    from lscb_analysis.periods import Quarter

    folder = ROOT / "parameters" / "narratives" / Quarter.parse(quarter).slug
    for sid in load_catalogue(ROOT / "parameters").subgroups:
        if (folder / f"{sid}.md").is_file():
            return folder / f"{sid}.md"
    raise SystemExit(f"{folder}: no narrative to edit")


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

    from lscb_analysis.publish.kernels import KernelTemplate, kernels_from
    from lscb_analysis.publish.template_process import TemplateClient

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
    run_lscb(quarter, args.workers)  # bring the pack up to date (a first build, if there was none)
    pack, peak, printed = run_lscb(quarter, args.workers, "--force")
    pdf = pdf_seconds(printed)
    n = pack_reports(quarter)
    none, _, _ = run_lscb(quarter, args.workers)
    narrative = narrative_edited(quarter)
    text = narrative.read_text(encoding="utf-8")
    try:
        narrative.write_text(text + "\nA sentence added for the benchmark.\n", encoding="utf-8")
        one, _, printed_one = run_lscb(quarter, args.workers)
    finally:
        narrative.write_text(text, encoding="utf-8")
    rebuilt = [line for line in printed_one.splitlines() if "rebuilt:" in line]
    if len(rebuilt) != 1 or "narrative rendered again" not in rebuilt[0]:
        raise SystemExit(
            f"editing {narrative.name} rebuilt {len(rebuilt)} reports, expected 1 refreshed:\n{printed_one}"
        )
    run_lscb(quarter, args.workers)  # the pack as the narrative is again
    executed, _, _ = run_lscb(quarter, args.workers, "--subgroup", narrative.stem, "--force")
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
        "pack_peak_rss_mib": round(peak / 2**20),
        "pdf_after_notebooks_s": round(pdf, 1) if pdf is not None else None,
        "floor_s": round(floor, 1),
        "pack_over_floor": round(pack / floor, 2),
        "rerun_none_s": round(none, 2),
        "rerun_none_over_pack": round(none / pack, 3),
        "rerun_one_s": round(one, 2),
        "rerun_one_over_pack": round(one / pack, 3),
        "rerun_one_executed_s": round(executed, 2),
        "refusal_s": refusals,
    }
    print(f"kernel start + imports: {kernel:.2f} s; {n} notebooks")
    print(
        f"lscb run instead forks each kernel from a template: {forked:.2f} s per kernel, after the template's "
        f"imports once ({template_once:.2f} s); that is why the pack can beat the floor"
    )
    print(f"pack  : {pack:7.1f} s   peak memory {peak / 2**20:.0f} MiB (resident, summed over its processes)")
    if pdf is not None:
        print(f"pdf   : {pdf:7.1f} s   (part of the pack: board_pack.pdf after the last notebook, {pdf / pack:.0%})")
    print(f"floor : {floor:7.1f} s   pack/floor = {pack / floor:.2f}  (goal <= 1.0)")
    print(f"rerun-none: {none:5.2f} s   rerun-none/pack = {none / pack:.3f}  (goal <= 0.05)")
    print(f"rerun-one : {one:5.2f} s   rerun-one/pack = {one / pack:.3f}  (goal <= 0.15; {narrative.name} edited)")
    print(f"rerun-one executed: {executed:5.2f} s   (--subgroup {narrative.stem} --force: the report executed)")
    if not args.skip_naive:
        naive, _ = time_naive(quarter)
        result.update({"naive_s": round(naive, 1), "pack_over_naive": round(pack / naive, 3)})
        print(f"naive : {naive:7.1f} s   pack/naive = {pack / naive:.3f}  (goal <= 0.2)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pack.json").write_text(json.dumps(result, indent=2))
    print(f"wrote {RESULTS / 'pack.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
