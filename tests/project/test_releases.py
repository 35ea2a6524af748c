"""``lscb benchmarks update``: a new release is checked, installed, reported; the one it replaces is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_init import snapshot
from typer.testing import CliRunner

from lscb_analysis.cli import app

CHECKOUT = Path(__file__).resolve().parents[2]
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
C1_NEXT = "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(CHECKOUT / "parameters", root / "parameters")
    shutil.copytree(
        CHECKOUT / "data" / "raw" / "dfe", root / "data" / "raw" / "dfe", ignore=shutil.ignore_patterns("lait")
    )
    return root


def next_release(project: Path, folder: Path, *, drop: str | None = None) -> Path:
    """C1 with a 2026 (a copy of 2025) and Trafford's 2024 re-referral rate revised."""
    df = pd.read_csv(project / "data" / "raw" / "dfe" / C1, dtype=str, keep_default_na=False)
    new = df[df.time_period.eq("2025")].assign(time_period="2026")
    out = pd.concat([new, df], ignore_index=True)
    out.loc[out.time_period.eq("2024") & out.la_name.eq("Trafford"), "rereferral_percent"] = "19.9"
    if drop:
        out = out.drop(columns=drop)
    folder.mkdir(parents=True, exist_ok=True)
    out.to_csv(folder / C1_NEXT, index=False)
    return folder / C1_NEXT


def update(project: Path, folder: Path):
    return CliRunner().invoke(app, ["benchmarks", "update", str(folder), "--root", str(project)])


def test_new_release_installed_reported_and_old_one_kept(project: Path, tmp_path: Path) -> None:
    dfe = project / "data" / "raw" / "dfe"
    old = (dfe / C1).read_bytes()
    new = next_release(project, tmp_path / "downloads")
    r = update(project, tmp_path / "downloads")
    assert r.exit_code == 0, r.output
    assert f"installed {C1_NEXT} as {C1}" in r.output
    assert "rereferrals_pct: new year(s) 2026; 2024 revised for 1 area(s)" in r.output
    assert (dfe / C1).read_bytes() == new.read_bytes()
    kept = list((dfe / "releases").glob(f"*/{C1}"))
    assert len(kept) == 1 and kept[0].read_bytes() == old


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (lambda p, d: next_release(p, d, drop="rereferral_percent"), "rereferral_percent"),
        (lambda p, d: (d / C1_NEXT).write_text("time_period,geographic_level\n2025,National,1\n"), "neither"),
        (
            lambda p, d: (d / C1_NEXT).write_text(
                (p / "data" / "raw" / "dfe" / C1).read_text(encoding="utf-8").replace(",Trafford,", ",Trafford,1,", 1)
            ),
            C1_NEXT,
        ),
    ],
    ids=["column missing", "not EES", "ragged row"],
)
def test_malformed_update_one_line_nothing_changed(project: Path, tmp_path: Path, make, expect: str) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    make(project, downloads)
    before = snapshot(project)
    r = update(project, downloads)
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expect in lines[0], r.output
    assert snapshot(project) == before
