"""``lscb init``: a project for a real partnership, its refusals, and the whole path to a board pack."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from fill_returns import fill_template

from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.parquet import read_parquet

TRAFFORD = "358"
# DfE's 2025 statistical neighbour model (data/raw/dfe/sn_model_2025_wide.csv), Trafford's row, closest first.
TRAFFORD_NEIGHBOURS_2025 = ["919", "356", "825", "931", "936", "305", "895", "873", "916", "334"]
PARTNERSHIP = "Trafford Strategic Safeguarding Partnership"


def lscb(*args: str, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    """The installed command, run in ``cwd`` (outside the checkout) with no project root in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "LSCB_PROJECT_ROOT"}
    return subprocess.run(
        [sys.executable, "-m", "lscb_analysis.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its hash: equal snapshots mean nothing changed."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    return lines[0]


def init(tmp_path: Path, *extra: str, folder: str = "trafford") -> subprocess.CompletedProcess:
    return lscb("init", folder, "--partnership", PARTNERSHIP, "--authority", "Trafford", *extra, cwd=tmp_path)


def test_unknown_authority_suggests_close_matches_and_writes_nothing(tmp_path: Path) -> None:
    r = lscb("init", "proj", "--partnership", "X", "--authority", "Trafferd", cwd=tmp_path)
    assert r.returncode == 2
    line = one_error_line(r)
    assert "Unknown local authority 'Trafferd'" in line and "Trafford (358, E08000009)" in line
    assert list(tmp_path.iterdir()) == []


def test_unknown_preset_refused(tmp_path: Path) -> None:
    r = init(tmp_path, "--preset", "leeds")
    assert r.returncode == 2
    assert "unknown preset 'leeds'; presets: current, nelc, nyscb" in one_error_line(r)
    assert not (tmp_path / "trafford").exists()


def test_nelc_preset_loads_and_writes_its_templates(tmp_path: Path) -> None:
    r = lscb(
        "init",
        "nelc",
        "--partnership",
        "North East Lincolnshire Safeguarding Children Partnership",
        "--authority",
        "North East Lincolnshire",
        "--preset",
        "nelc",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    project = tmp_path / "nelc"
    cat = load_catalogue(project / "parameters")
    assert "serious_case_review" in cat.subgroups and "through_care_team" in cat.providers
    assert (
        yaml.safe_load((project / "parameters" / "partnership.yaml").read_text(encoding="utf-8"))["benchmark_la_code"]
        == "812"
    )
    r = lscb("templates", "--quarter", "2026-27 Q1", cwd=project)
    assert r.returncode == 0, r.stderr
    written = {t.stem for t in (project / "reports" / "2026-27-Q1" / "templates").glob("*.xlsx")}
    due = {p for p in cat.providers if cat.for_provider(p, 1)}
    assert written == due and {"local_authority", "through_care_team", "child_death_review"} <= written


def test_authority_that_no_longer_exists_gets_its_2021_neighbours_and_is_told(tmp_path: Path) -> None:
    r = lscb(
        "init", "nhants", "--partnership", "Northamptonshire LSCB", "--authority", "Northamptonshire", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert "DfE 2021 model" in r.stdout
    note = next(line for line in r.stdout.splitlines() if line.startswith("note: "))
    assert "no longer exists" in note and "North Northamptonshire (940" in note and "2021 model" in note
    text = (tmp_path / "nhants" / "parameters" / "partnership.yaml").read_text(encoding="utf-8")
    assert "DfE's 2021 model" in text
    # the ten listed are the 2021 model's row for Northamptonshire (928), as published, closest first
    dfe = Path(__file__).resolve().parents[2] / "data" / "raw" / "dfe"
    row = pd.read_csv(dfe / "New_Statistical_Neighbour_Groupings_April_2021.csv", dtype=str, encoding="utf-8-sig")
    row = row[row["LA num"].str.strip().eq("928")].iloc[0]
    published = [row.iloc[5 + 2 * k].strip() for k in range(10)]
    listed = [line.rsplit("(", 1)[1].rstrip(")") for line in text.splitlines() if line.startswith("#   ")]
    assert listed == published
    assert yaml.safe_load(text)["benchmark_la_code"] == "928"


def test_misspelt_abolished_authority_one_line_with_close_matches(tmp_path: Path) -> None:
    r = lscb("init", "proj", "--partnership", "X", "--authority", "Cumbira", cwd=tmp_path)
    assert r.returncode == 2
    line = one_error_line(r)
    assert "Unknown local authority 'Cumbira'" in line and "Cumbria (909" in line
    assert list(tmp_path.iterdir()) == []


def test_existing_project_refused_without_force(tmp_path: Path) -> None:
    assert init(tmp_path).returncode == 0
    project = tmp_path / "trafford"
    (project / "parameters" / "partnership.yaml").write_text("name: edited by hand\n", encoding="utf-8")
    before = snapshot(tmp_path)
    r = init(tmp_path)
    assert r.returncode == 2
    line = one_error_line(r)
    assert "already holds parameters/partnership.yaml" in line and "--force" in line
    assert snapshot(tmp_path) == before
    assert init(tmp_path, "--force").returncode == 0
    assert load_partnership(project).name == PARTNERSHIP


def test_nyscb_preset_is_the_demo_catalogue_with_one_locality(tmp_path: Path) -> None:
    assert init(tmp_path, "--preset", "nyscb").returncode == 0
    cat = load_catalogue(tmp_path / "trafford" / "parameters")
    demo = load_catalogue(Path(__file__).resolve().parents[2] / "parameters")
    assert list(cat.indicators) == list(demo.indicators)
    assert cat.breakdowns["locality"].values == ("Whole area",)


def test_whole_path_init_templates_returns_ingest_run(tmp_path: Path) -> None:
    r = init(tmp_path)
    assert r.returncode == 0, r.stderr
    project = tmp_path / "trafford"
    assert "lscb templates --quarter" in r.stdout and "data/raw/returns/trafford/" in r.stdout
    assert "lscb run --quarter" in r.stdout and "lscb demo" not in r.stdout + r.stderr

    # partnership.yaml: the benchmark authority by its code; its population from the ONS estimates
    settings = yaml.safe_load((project / "parameters" / "partnership.yaml").read_text(encoding="utf-8"))
    assert settings["benchmark_la_code"] == TRAFFORD and settings["area_code"] == "E08000009"
    assert not settings["fictional"]
    pop = pd.read_csv(project / "data" / "raw" / "population" / "trafford_child_population.csv")
    assert set(pop.locality) == {"Whole area"}
    ons = pd.read_csv(project / "data" / "raw" / "dfe" / "ons_mid-year_population_estimates_2012_to_2024.csv")
    mid_2024 = ons[ons.old_la_code.eq(358) & ons.time_period.eq(2024) & ons.age_group.str.contains("0 to 17")]
    assert pop.set_index("financial_year").loc["2024-25", "population"] == int(mid_2024.population_estimate.iloc[0])
    assert "data/raw/returns/*" in (project / ".gitignore").read_text(encoding="utf-8")

    # an empty project points to the next steps, not to the demo
    r = lscb("ingest", "--quarter", "latest", cwd=project)
    assert r.returncode == 1
    line = one_error_line(r)
    assert "lscb templates" in line and "lscb demo" not in line

    # templates for two quarters, filled in as the agencies would, into the returns folder
    quarters = ["2026-27 Q1", "2026-27 Q2"]
    for level, q in enumerate(quarters, start=20):
        r = lscb("templates", "--quarter", q, cwd=project)
        assert r.returncode == 0, r.stderr
        slug = q.replace(" ", "-")
        templates = sorted((project / "reports" / slug / "templates").glob("*.xlsx"))
        assert {t.stem for t in templates} >= {"local_authority", "icb", "police", "education", "lado"}
        for t in templates:
            fill_template(t, project / "data" / "raw" / "returns" / "trafford" / slug / t.name, level)
    r = lscb("ingest", "--quarter", "all", cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 rejected" in r.stdout

    r = lscb("run", "--quarter", "latest", "--subgroup", "child_protection", cwd=project, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    html = (project / "reports" / "2026-27-Q2" / "subgroup_child_protection.html").read_text(encoding="utf-8")
    assert PARTNERSHIP in html
    assert "ten statistical neighbours of Trafford" in html and "England" in html
    cat = load_catalogue(project / "parameters")
    for ind in cat.for_subgroup("child_protection"):
        assert ind.title.replace("'", "&#39;") in html or ind.title in html, ind.id
    # the neighbours compared are Trafford's ten of DfE's 2025 model
    neighbours = read_parquet(project / "data" / "processed" / "benchmark" / "cpp_rate_neighbours.parquet")
    ranked = neighbours[neighbours.role.eq("neighbour")].sort_values("sn_rank")
    assert list(ranked.old_la_code.astype(str)) == TRAFFORD_NEIGHBOURS_2025
    assert neighbours.england_value.notna().all()
