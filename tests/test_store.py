"""The store is committed as one unit: every reader sees the old store or the new one, whole.

Fault injection: a file-size limit (``RLIMIT_FSIZE``), a kill at every kind of
point of a commit (SIGKILL from an audit hook at the n-th file operation on the
store, points drawn with a fixed seed), a read-only store, a full disk, and an
ingest while readers and a board-pack run read. After each, the current
generation matches its manifest and its figures are the latest values of its
history, and the next ingest repairs whatever the fault left. Nothing is timed.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import errno
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lscb_analysis.cli import app
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.parquet import read_parquet
from lscb_analysis.periods import Quarter
from lscb_analysis.store import (
    GENERATION_ENV,
    KEEP_PREVIOUS,
    Generation,
    StoreMissingError,
    current_generation,
    latest_figures,
    pinned_generation,
    read_figures,
    read_findings,
    read_history,
    read_returns_log,
    resolve_generation,
    restatements,
    store_folder,
    verify_generation,
)

ROOT = Path(__file__).resolve().parents[1]
Q = Quarter(2026, 2)
#: The one figure the tests revise: police's count of children missing from home (no breakdown rows).
CELL = {"indicator_id": "missing_from_home", "breakdown": "total", "breakdown_value": "total"}


def _copy_project(dst: Path) -> Path:
    for sub in ("parameters",):
        shutil.copytree(ROOT / sub, dst / sub)
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    (dst / "reports").mkdir()
    return dst


@pytest.fixture(scope="module")
def _ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = _copy_project(tmp_path_factory.mktemp("store") / "project")
    assert not ingest_quarters([Q], dst).blocked
    return dst


@pytest.fixture
def project(_ingested: Path, tmp_path: Path) -> Path:
    """A project copy with quarter Q ingested (a fresh copy per test)."""
    dst = tmp_path / "project"
    shutil.copytree(_ingested, dst)
    return dst


# ------------------------------------------------------------------ helpers
def police(project: Path) -> Path:
    return project / "data" / "raw" / "returns" / "demo" / Q.slug / "police.csv"


def raw_value(project: Path) -> int:
    with open(police(project), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["indicator_id"] == CELL["indicator_id"]:
                return int(row["numerator"])
    raise AssertionError("the police return lost its missing_from_home row")


def revise(project: Path) -> int:
    """Revise the police figure (175 <-> 174) in the raw return; return the new value."""
    f = police(project)
    with open(f, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["indicator_id"] == CELL["indicator_id"]:
            row["numerator"] = str(174 if int(row["numerator"]) == 175 else 175)
            value = int(row["numerator"])
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return value


def stored_value(project: Path, **kwargs: object) -> float:
    fig = read_figures(project, **kwargs)
    hit = fig[(fig.indicator_id == CELL["indicator_id"]) & (fig.period == Q.period) & (fig.breakdown == "total")]
    assert len(hit) == 1
    return float(hit.numerator.iloc[0])


def assert_whole(project: Path) -> Generation:
    """The current generation is complete, matches its manifest, and its figures are its history's latest."""
    gen = current_generation(project)
    assert gen is not None and gen.complete, "CURRENT names no complete generation"
    verify_generation(gen)
    return gen


def leftovers(project: Path) -> list[str]:
    """What a crashed writer may leave: temporary files and generations without a manifest."""
    d = store_folder(project)
    tmp = [p.name for p in d.glob(".*.tmp")]
    partial = [p.name for p in d.iterdir() if p.is_dir() and p.name != "pins" and not (p / "manifest.json").exists()]
    return tmp + partial


def generations(project: Path) -> list[str]:
    d = store_folder(project)
    return sorted(p.name for p in d.iterdir() if p.is_dir() and p.name != "pins")


def lscb(project: Path, *args: str, preexec=None) -> subprocess.CompletedProcess:
    """``lscb <args> --root <project>`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", *args, "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=preexec,
        env={k: v for k, v in os.environ.items() if k != GENERATION_ENV},
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for w in words:
        assert w in errors[0], errors[0]
    return errors[0]


# ------------------------------------------------------------ the layout
def test_an_ingest_commits_every_table_in_one_generation(project: Path) -> None:
    gen = assert_whole(project)
    assert (store_folder(project) / "CURRENT").read_text().strip() == gen.name
    man = gen.manifest()
    assert set(man["tables"]) == {"figures", "history", "findings", "returns_log"} | {
        "qa_audits",
        "qa_surveys",
        "qa_section11",
        "qa_reviews",
        "qa_complaints",
    }
    assert man["tables"]["figures"]["rows"] == len(read_figures(project))
    assert man["tables"]["returns_log"]["rows"] == len(read_returns_log(project))
    assert len(read_findings(project)) == man["tables"]["findings"]["rows"]
    assert not list((project / "data" / "processed").glob("*.parquet")), "a table outside the generation"


def test_a_reingest_links_unchanged_tables_and_keeps_a_bounded_past(project: Path) -> None:
    first = assert_whole(project)
    figures = first.path("figures").read_bytes()
    seen = [first.name]
    for _ in range(KEEP_PREVIOUS + 2):
        res = ingest_quarters([Q], project)
        assert res.changed == 0
        seen.append(assert_whole(project).name)
    gen = assert_whole(project)
    assert gen.name != first.name and gen.path("figures").read_bytes() == figures
    assert gen.manifest()["parent"] == seen[-2]
    assert generations(project) == sorted(seen[-(KEEP_PREVIOUS + 1) :])


def test_no_store_is_one_clear_error(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "empty")
    with pytest.raises(StoreMissingError, match=r"the store is empty; run `lscb ingest --quarter all`"):
        read_figures(project)
    assert read_history(project).empty and read_findings(project).empty and read_returns_log(project).empty
    assert restatements(None, project).empty


# ------------------------------------------------------------------ pins
def test_a_pinned_generation_is_read_whole_while_ingests_replace_it(project: Path) -> None:
    before = stored_value(project)
    with pinned_generation(project) as gen:
        assert os.environ[GENERATION_ENV] == gen.name
        for _ in range(KEEP_PREVIOUS + 2):  # more ingests than the generations kept anyway
            revise(project)
            assert ingest_quarters([Q], project).changed == 1
        assert stored_value(project) == before, "a pinned read saw a newer generation"
        assert restatements(None, project).empty, "a pinned read saw a newer history"
        assert gen.name in generations(project), "an ingest deleted the pinned generation"
        assert current_generation(project).name != gen.name
    assert GENERATION_ENV not in os.environ
    assert stored_value(project) == raw_value(project)
    ingest_quarters([Q], project)
    assert gen.name not in generations(project), "the generation stayed after its pin was released"


def test_a_pin_of_a_dead_process_does_not_keep_a_generation(project: Path) -> None:
    gen = assert_whole(project)
    pins = store_folder(project) / "pins"
    pins.mkdir(exist_ok=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    now = dt.datetime.now(dt.UTC).isoformat()
    info = {"generation": gen.name, "pid": int(dead.stdout), "host": socket.gethostname(), "time": now}
    (pins / f"{gen.name}.{info['pid']}.dead").write_text(json.dumps(info) + "\n")
    for _ in range(KEEP_PREVIOUS + 1):
        ingest_quarters([Q], project)
    assert gen.name not in generations(project) and not list(pins.iterdir())


def test_an_unknown_pinned_generation_is_one_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GENERATION_ENV, "20200101T000000000000Z-gone")
    with pytest.raises(StoreMissingError, match=r"store generation '20200101T000000000000Z-gone' \(from \$LSCB"):
        read_figures(project)


def test_readers_see_whole_generations_while_another_process_ingests(project: Path) -> None:
    """A process ingests revisions in a loop; every pinned read in the meantime is one whole generation."""
    script = textwrap.dedent(
        f"""
        import csv, sys
        from pathlib import Path
        from lscb_analysis.ingest import ingest_quarters
        from lscb_analysis.periods import Quarter
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import revise
        root = Path(sys.argv[1])
        for _ in range(6):
            revise(root)
            assert ingest_quarters([Quarter(2026, 2)], root).changed == 1
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(project)], stderr=subprocess.PIPE, text=True)
    reads = 0
    try:
        while writer.poll() is None or reads < 3:
            with pinned_generation(project) as gen:
                fig = read_figures(project)
                hist = read_history(project)
                latest = latest_figures(hist)
                pd.testing.assert_frame_equal(fig.reset_index(drop=True), latest)
                assert len(read_findings(project)) == gen.manifest()["tables"]["findings"]["rows"]
            reads += 1
    finally:
        writer.wait(timeout=600)
    assert writer.returncode == 0, writer.stderr.read()
    assert reads >= 3
    assert_whole(project)
    assert stored_value(project) == raw_value(project)


# ----------------------------------------------------------- faults: crashes
def test_the_next_ingest_removes_what_a_crash_left_and_builds_on_the_last_whole_store(project: Path) -> None:
    gen = assert_whole(project)
    d = store_folder(project)
    (d / "20990101T000000000000Z-dead01").mkdir()  # a generation a killed writer never finished
    (d / "20990101T000000000000Z-dead01" / "history.parquet").write_bytes(b"PAR1 half")
    (d / ".CURRENT.x1y2.tmp").write_text("20990101T000000000000Z-dead01\n")
    assert stored_value(project) == raw_value(project), "a reader is not misled by the leftovers"
    new = revise(project)
    assert ingest_quarters([Q], project).changed == 1
    assert leftovers(project) == []
    assert assert_whole(project).manifest()["parent"] == gen.name
    assert stored_value(project) == new


def test_a_damaged_current_pointer_loses_no_history(project: Path) -> None:
    revise(project)
    ingest_quarters([Q], project)
    history = read_history(project)
    (store_folder(project) / "CURRENT").write_text("not-a-generation\n")
    with pytest.raises(StoreMissingError, match="missing or incomplete; run `lscb ingest --quarter all` to repair"):
        read_figures(project)
    ingest_quarters([Q], project)
    assert_whole(project)
    pd.testing.assert_frame_equal(read_history(project), history)


def test_a_store_in_the_old_layout_is_moved_and_its_history_ahead_of_its_figures_repaired(project: Path) -> None:
    """The bug this layout fixes: history renamed, figures not; the next ingest said '0 new or revised'."""
    gen = assert_whole(project)
    processed = project / "data" / "processed"
    old_figures = read_parquet(gen.path("figures"))
    revise(project)
    ingest_quarters([Q], project)
    newer = current_generation(project)
    shutil.copy(newer.path("history"), processed / "history.parquet")  # history of the revision...
    old_figures.to_parquet(processed / "figures.parquet", index=False)  # ...beside figures from before it
    shutil.copy(newer.path("findings"), processed / "findings.parquet")
    shutil.rmtree(store_folder(project))
    with pytest.raises(StoreMissingError, match="layout before generations"):
        read_figures(project)
    ingest_quarters([Q], project)
    assert_whole(project)
    assert stored_value(project) == raw_value(project)
    assert not list(processed.glob("*.parquet"))


_KILL_DRIVER = textwrap.dedent(
    """
    # Imports once, then for each request forks a child that ingests and is killed (SIGKILL) just before its
    # n-th file operation on the store; "count" reports how many operations a whole ingest makes.
    import os, signal, sys
    from pathlib import Path
    from lscb_analysis.ingest import ingest_quarters
    from lscb_analysis.periods import Quarter
    from lscb_analysis.store import store_folder

    root = Path(sys.argv[1])
    store = str(store_folder(root))
    EVENTS = {"open", "os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.link", "os.chmod", "shutil.rmtree"}

    def ingest(kill_at):
        seen = 0
        def hook(event, args):
            nonlocal seen
            if event in EVENTS and args and str(args[0]).startswith(store):
                seen += 1
                if seen == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
        sys.addaudithook(hook)
        ingest_quarters([Quarter(2026, 2)], root)
        return seen

    for line in sys.stdin:
        request = line.strip()
        if request == "quit":
            break
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            seen = ingest(0 if request == "count" else int(request))
            os.write(w, str(seen).encode())
            os._exit(0)
        os.close(w)
        out = os.read(r, 100).decode()
        os.close(r)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(f"{code} {out or '-'}", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_kill_at_any_point_of_an_ingest_leaves_a_whole_store_that_the_next_ingest_repairs(project: Path) -> None:
    """SIGKILL before the n-th file operation on the store, for points drawn with a fixed seed."""
    driver = subprocess.Popen(
        [sys.executable, "-c", _KILL_DRIVER, str(project)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def ask(request: str) -> tuple[int, str]:
        driver.stdin.write(request + "\n")
        driver.stdin.flush()
        code, seen = driver.stdout.readline().split()
        return int(code), seen

    try:
        revise(project)
        code, seen = ask("count")
        assert code == 0
        n_ops = int(seen)
        assert n_ops >= 15, f"an ingest made only {n_ops} file operations on the store"
        rng = random.Random(20260425)
        points = sorted({1, n_ops, *rng.sample(range(2, n_ops), min(14, n_ops - 2))})
        outcomes = {"old": 0, "new": 0}
        for k in points:
            before = stored_value(project)
            new = revise(project)
            code, _ = ask(str(k))
            assert code == -9, f"kill point {k}: the ingest was not killed (exit {code})"
            assert_whole(project)
            after = stored_value(project)
            assert after in (before, new), f"kill point {k}: the store holds {after}"
            outcomes["new" if after == new else "old"] += 1
            res = ingest_quarters([Q], project)  # the next ingest repairs and says what it changed
            assert res.changed == (0 if after == new else 1), f"kill point {k}"
            assert leftovers(project) == [], f"kill point {k}: the repair left {leftovers(project)}"
            assert_whole(project)
            assert stored_value(project) == new
        assert outcomes["old"] and outcomes["new"], outcomes  # kills fell both before and after the commit
    finally:
        with contextlib.suppress(OSError):
            driver.stdin.write("quit\n")
            driver.stdin.close()
        driver.wait(timeout=120)


# ----------------------------------------------------------- faults: writes
def _fsize_limit(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_file_size_limit_anywhere_in_the_commit_leaves_the_previous_store(project: Path) -> None:
    """RLIMIT_FSIZE below the size of each table the ingest writes: one line, exit 1, the store whole."""
    revise(project)
    probe = project.parent / "probe"
    shutil.copytree(project, probe)
    ingest_quarters([Q], probe)
    sizes = sorted(p.stat().st_size for p in current_generation(probe).folder.glob("*.parquet"))
    limits = sorted({1024, *(s - 1 for s in sizes), *((a + b) // 2 for a, b in zip(sizes, sizes[1:], strict=False))})
    for limit in limits:
        before = assert_whole(project)
        proc = lscb(project, "ingest", "--quarter", Q.code, preexec=_fsize_limit(limit))
        assert proc.returncode == 1, (limit, proc.stderr)
        line = assert_one_line_error(proc, "cannot write", "File too large")
        assert "the previous store is unchanged" in line or "data_quality" in line, line
        gen = assert_whole(project)
        if "the previous store is unchanged" in line:
            assert gen.name == before.name and leftovers(project) == [], limit
    proc = lscb(project, "ingest", "--quarter", Q.code)
    assert proc.returncode == 0, proc.stderr
    assert stored_value(project) == raw_value(project)


def test_a_full_disk_is_one_line_and_keeps_the_previous_store(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = assert_whole(project)
    revise(project)
    real = pd.DataFrame.to_parquet
    calls = []

    def fill_up(self: pd.DataFrame, path: object, *args: object, **kwargs: object) -> object:
        calls.append(path)
        if len(calls) == 2:  # the second table of the commit
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fill_up)
    r = CliRunner().invoke(app, ["ingest", "--quarter", Q.code, "--root", str(project)])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: cannot write the store in {store_folder(project)}: No space left on device; "
        "the previous store is unchanged"
    ]
    assert assert_whole(project).name == before.name and leftovers(project) == []
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    assert ingest_quarters([Q], project).changed == 1


def _drop_file_capabilities() -> None:
    """In the child: as root, give up the capabilities that ignore file permissions (so read-only means it)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _chmod_tree(folder: Path, writable: bool) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod((0o755 if p.is_dir() else 0o644) if writable else (0o555 if p.is_dir() else 0o444))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_store_is_one_line_and_stays_as_it_was(project: Path) -> None:
    before = assert_whole(project)
    revise(project)
    _chmod_tree(store_folder(project), writable=False)
    try:
        try:
            proc = lscb(project, "ingest", "--quarter", Q.code, preexec=_drop_file_capabilities)
        except subprocess.SubprocessError as exc:
            pytest.skip(f"cannot run a process that respects file permissions here: {exc}")
        assert proc.returncode == 1, proc.stderr
        assert_one_line_error(
            proc, f"cannot write the store in {store_folder(project)}: Permission denied", "previous store is unchanged"
        )
    finally:
        _chmod_tree(store_folder(project), writable=True)
    assert assert_whole(project).name == before.name
    assert lscb(project, "ingest", "--quarter", Q.code).returncode == 0
    assert stored_value(project) == raw_value(project)


# --------------------------------------------------------- a run and an ingest
_PROBE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": [
                'quarter: str = "latest"  # report quarter\n',
                'subgroup: str = "neglect"  # sub-group id\n',
                'project_root: str = ".."  # project folder\n',
            ],
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": [
                "import os, subprocess, sys\n",
                "from lscb_analysis.store import current_generation, read_figures, read_history, resolve_generation\n",
                "from lscb_analysis.summary.context import load_context\n",
                "ctx = load_context(quarter, project_root)\n",
                "first = ctx.figures.copy()\n",
                "pinned = resolve_generation(project_root).name\n",
                "# an ingest of a revised return while the run reads the store\n",
                "f = os.path.join(project_root, 'data/raw/returns/demo', quarter.replace(' ', '-'), 'police.csv')\n",
                "text = open(f).read()\n",
                "old, new = 'missing_from_home,total,total,175,', 'missing_from_home,total,total,174,'\n",
                "open(f, 'w').write(text.replace(old, new))\n",
                "env = {k: v for k, v in os.environ.items() if k != 'LSCB_STORE_GENERATION'}\n",
                "cmd = [sys.executable, '-m', 'lscb_analysis.cli', 'ingest', '-q', quarter, '--root', project_root]\n",
                "subprocess.run(cmd, check=True, env=env, capture_output=True)\n",
                "assert current_generation(project_root).name != pinned, 'the ingest did not commit'\n",
                "again = load_context(quarter, project_root).figures\n",
                "assert again.equals(first), 'the run read two versions of the store'\n",
                "assert len(read_history(project_root)) == len(read_figures(project_root))\n",
            ],
            "outputs": [],
            "execution_count": None,
        },
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_lscb_run_reads_one_generation_while_an_ingest_commits_another(project: Path) -> None:
    """A sub-group's own notebook ingests a revision mid-run; the run's reads before and after it agree."""
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns("deep_dives", ".ipynb*"))
    own = project / "notebooks" / "subgroups" / "neglect.ipynb"
    own.parent.mkdir(exist_ok=True)
    own.write_text(json.dumps(_PROBE_NOTEBOOK), encoding="utf-8")
    assert raw_value(project) == 175
    proc = lscb(project, "run", "--quarter", Q.code, "--subgroup", "neglect", "--workers", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert raw_value(project) == 174 and stored_value(project) == 174  # the ingest did commit
    log = (project / "reports" / Q.slug / "run.log").read_text(encoding="utf-8")
    assert "store generation" in log
    assert_whole(project)
    with contextlib.suppress(StoreMissingError):
        resolve_generation(project)
