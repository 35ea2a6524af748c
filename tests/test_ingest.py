"""Returns become the tidy store: every figure equals its raw cell and names its source."""

import csv

import pandas as pd
import pytest

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.returns.folders import return_folders
from lscb_analysis.store import read_figures, read_history


@pytest.fixture
def ingested(project):
    ingest_quarters(list(return_folders(project)), project)
    return project


def test_store_figures_equal_the_raw_cells(ingested):
    fig = read_figures(ingested)
    f = ingested / "data/raw/returns/demo/2026-27-Q2/local_authority.csv"
    with open(f, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for line_no, row in enumerate(rows[:40], start=2):
        hit = fig[
            (fig.indicator_id == row["indicator_id"])
            & (fig.period == Quarter(2026, 2).period)
            & (fig.breakdown == row["breakdown"])
            & (fig.breakdown_value == (row["breakdown_value"]))
        ]
        assert len(hit) == 1, row
        assert float(hit.numerator.iloc[0]) == float(row["numerator"])
        assert hit.source_row.iloc[0] == line_no
        assert hit.source_file.iloc[0].endswith("2026-27-Q2/local_authority.csv")


def test_rates_use_the_population_file(ingested):
    fig = read_figures(ingested)
    pop = pd.read_csv(ingested / "data/raw/population/demo_child_population.csv")
    row = fig[
        (fig.indicator_id == "cpp_rate") & (fig.period == Quarter(2025, 3).period) & (fig.breakdown == "total")
    ].iloc[0]
    children = pop[pop.financial_year == "2025-26"].population.sum()
    assert row.denominator == children
    assert row.value == pytest.approx(row.numerator / children * 10_000, rel=1e-12)
    loc = fig[
        (fig.indicator_id == "cpp_rate")
        & (fig.period == Quarter(2025, 3).period)
        & (fig.breakdown_value == "Eastbrook")
    ].iloc[0]
    assert loc.denominator == pop[(pop.financial_year == "2025-26") & (pop.locality == "Eastbrook")].population.sum()


def test_reingesting_a_quarter_changes_nothing(ingested):
    before = read_figures(ingested)
    hist = len(read_history(ingested))
    ingest_quarters([Quarter.parse("2026-27 Q2")], ingested)
    after = read_figures(ingested)
    cols = ["indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator", "value"]
    pd.testing.assert_frame_equal(before[cols], after[cols])
    assert len(read_history(ingested)) == hist


def test_demo_ingests_clean_and_publishes_nothing(project):
    res = ingest_quarters([Quarter.parse("2026-27 Q2")], project)
    assert not res.blocked and res.rejected == []
    assert {f.rule for f in res.findings} <= {"R050-outlier"}  # planted patterns may ask for confirmation
    assert not list((project / "reports").iterdir()), "pages are written by the publish layer (lscb ingest)"


def test_ingest_all_command_exits_0_for_the_demo(project):
    from typer.testing import CliRunner

    from lscb_analysis.cli import app

    r = CliRunner().invoke(app, ["ingest", "--quarter", "all", "--root", str(project)])
    assert r.exit_code == 0, r.output
    assert "0 rejected" in r.output and "0 error(s)" in r.output


def test_two_ingests_at_once_leave_a_whole_store(project):
    """The store's lock serialises writers: two concurrent ingests give the same store as one."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "lscb_analysis.cli", "ingest", "--quarter", "all", "--root", str(project)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0], [p.stderr.read().decode() for p in procs]
    both = read_figures(project)
    once = project.parent / "once"
    import shutil

    shutil.copytree(project / "parameters", once / "parameters")
    shutil.copytree(project / "data" / "raw", once / "data" / "raw")
    ingest_quarters(list(return_folders(once)), once)
    cols = ["indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator", "value", "status"]
    pd.testing.assert_frame_equal(both[cols].reset_index(drop=True), read_figures(once)[cols].reset_index(drop=True))
    assert not list((project / "data" / "processed").glob(".*.tmp")), "a temporary file was left behind"
