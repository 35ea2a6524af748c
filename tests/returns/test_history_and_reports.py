"""Restatements keep their history; symbols are missing, not 0; concurrent ingests; timeliness and reports."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pandas as pd
import yaml
from returns_testdata import Q, folder, read_rows, store_bytes, tree_hashes, write_rows
from typer.testing import CliRunner

from lscb_analysis.atomic import file_sha256
from lscb_analysis.cli import app
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.quality import completeness, errors_by_provider, timeliness
from lscb_analysis.store import read_figures, read_findings, read_history, read_returns_log, restatements

COUNT_ROW = 11  # police.csv: missing_from_home total


def _cell(project: Path, indicator: str = "missing_from_home") -> pd.DataFrame:
    fig = read_figures(project)
    return fig[(fig.indicator_id == indicator) & (fig.period == Q.period) & (fig.breakdown == "total")]


def test_restatement_keeps_the_old_value_with_its_source(ingested_q: Path) -> None:
    f = folder(ingested_q) / "police.csv"
    old_sha = file_sha256(f)
    rows = read_rows(f)
    old = int(rows[COUNT_ROW - 2]["numerator"])
    rows[COUNT_ROW - 2]["numerator"] = str(old + 7)
    write_rows(f, rows)
    res = ingest_quarters([Q], ingested_q)
    assert not res.blocked and res.changed == 1 and res.restated == 1
    (w,) = res.warnings
    assert w.rule == "R052-restatement" and w.row == COUNT_ROW and f"from {old:,} to {old + 7:,}" in w.message
    assert float(_cell(ingested_q).numerator.iloc[0]) == old + 7
    hist = read_history(ingested_q)
    cell = hist[(hist.indicator_id == "missing_from_home") & (hist.period == Q.period)]
    assert cell.numerator.tolist() == [old, old + 7]
    assert cell.file_sha256.tolist() == [old_sha, file_sha256(f)]
    r = restatements("latest", ingested_q)
    assert len(r) == 1
    r = r.iloc[0]
    assert (r.old_numerator, r.new_numerator) == (old, old + 7)
    assert r.old_file_sha256 == old_sha and r.old_ingested_at < r.new_ingested_at
    assert r.new_source_file == "returns/demo/2026-27-Q2/police.csv"
    assert restatements("2026-27 Q1", ingested_q).empty


def test_reingest_adds_nothing_and_keeps_the_store_bytes(ingested_q: Path) -> None:
    before = store_bytes(ingested_q)
    res = ingest_quarters([Q], ingested_q)
    assert res.changed == 0 and not res.findings
    assert store_bytes(ingested_q) == before


def test_gss_symbols_are_stored_as_missing_with_their_reason(ingested_q: Path) -> None:
    f = folder(ingested_q) / "police.csv"
    rows = read_rows(f)
    rows[COUNT_ROW - 2]["numerator"] = "c"
    rows[16]["numerator"] = "~"  # charge-or-caution total (its breakdowns are then not summed)
    write_rows(f, rows)
    res = ingest_quarters([Q], ingested_q)
    assert not res.blocked
    assert sorted(w.rule for w in res.warnings) == ["R051-legacy-symbol", "R052-restatement", "R052-restatement"]
    cell = _cell(ingested_q).iloc[0]
    assert pd.isna(cell.numerator) and pd.isna(cell.value) and cell.status == "c"
    pct = _cell(ingested_q, "child_abuse_charge_or_caution_pct").iloc[0]
    assert pd.isna(pct.value) and pct.status == "~" and pct.denominator == 269
    comp = completeness(Q, ingested_q)
    assert comp.set_index("indicator_id").loc["missing_from_home", "status"] == "not available (c)"


def test_two_ingests_at_once_do_not_corrupt_the_store(project: Path) -> None:
    qs = [Q - 1, Q]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            ingest_quarters(qs, project)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    hist = read_history(project)
    fig = read_figures(project)
    assert not hist.duplicated(["indicator_id", "period", "area", "breakdown", "breakdown_value"]).any()
    assert len(fig) == len(hist) and set(fig.period) == {q.period for q in qs}


def test_timeliness_uses_the_arrival_log_then_file_times(ingested_q: Path) -> None:
    log = ingested_q / "data/raw/returns/demo/received.yaml"
    data = yaml.safe_load(log.read_text())
    data[Q.code]["police"] = dt.date(2026, 10, 27)  # due 21 October (15 working days)
    del data[Q.code]["health"], data[Q.code]["cdop"]
    log.write_text(yaml.safe_dump({k: v for k, v in data.items()}))
    health = folder(ingested_q) / "health.csv"
    day = dt.datetime(2026, 10, 29, 12).timestamp()
    os.utime(health, (day, day))
    (folder(ingested_q) / "cdop.csv").unlink()
    ingest_quarters([Q], ingested_q)
    t = timeliness(Q, ingested_q, today=dt.date(2026, 12, 1)).set_index("provider")
    assert (t.loc["police", "status"], t.loc["police", "days_late"], t.loc["police", "received_from"]) == (
        "late",
        6,
        "received.yaml",
    )
    assert (t.loc["health", "status"], t.loc["health", "received"], t.loc["health", "received_from"]) == (
        "on time",
        dt.date(2026, 10, 29),
        "file time",
    )
    assert (t.loc["cdop", "status"], t.loc["cdop", "ingest"]) == ("missing", "")
    assert (
        timeliness(Q, ingested_q, today=dt.date(2026, 10, 2)).set_index("provider").loc["cdop", "status"] == "awaited"
    )
    assert t.loc["police", "ingest"] == "accepted"
    comp = completeness(Q, ingested_q)
    assert set(comp[comp.provider == "cdop"].status) == {"complete"}  # the earlier ingest stays in the store
    found = read_findings(ingested_q)
    assert found[found.rule == "R042-return-missing"].provider.tolist() == ["cdop"]


def test_errors_by_provider_over_time(ingested_q: Path) -> None:
    f = folder(ingested_q) / "police.csv"
    rows = read_rows(f)
    rows[COUNT_ROW - 2]["numerator"] = "-1"
    write_rows(f, rows)
    ingest_quarters([Q - 1, Q], ingested_q)
    e = errors_by_provider(ingested_q)
    assert list(e.columns) == ["quarter", "provider", "files", "accepted", "rejected", "missing", "errors", "warnings"]
    assert e.quarter.iloc[0] == (Q - 1).code
    police = e[e.provider == "police"].set_index("quarter")
    assert police.loc[Q.code, ["rejected", "errors"]].tolist() == [1, 1]
    assert police.loc[(Q - 1).code, ["accepted", "errors"]].tolist() == [1, 0]
    log = read_returns_log(ingested_q)
    assert set(log.status) == {"accepted", "rejected"}


def test_ingest_command_reports_and_exits_1_when_blocked(ingested_q: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", "--quarter", "latest", "--root", str(ingested_q)])
    assert r.exit_code == 0, r.output
    html, csv = (
        ingested_q / "reports" / Q.slug / "data_quality.html",
        ingested_q / "reports" / Q.slug / "data_quality.csv",
    )
    assert html.exists() and csv.exists() and "No errors" in html.read_text()
    f = folder(ingested_q) / "police.csv"
    rows = read_rows(f)
    rows[COUNT_ROW - 2]["numerator"] = "12 approx"
    write_rows(f, rows)
    raw = tree_hashes(ingested_q / "data" / "raw")
    before = store_bytes(ingested_q)
    r = runner.invoke(app, ["ingest", "--quarter", Q.code, "--root", str(ingested_q)])
    assert r.exit_code == 1
    assert "R020-not-a-number" in r.output and "blocked" in r.output
    found = pd.read_csv(csv)
    assert found[["file", "row", "column", "rule", "severity"]].values.tolist() == [
        ["returns/demo/2026-27-Q2/police.csv", 11, "numerator", "R020-not-a-number", "error"]
    ]
    page = html.read_text()
    assert "Blocked" in page and "&#39;12 approx&#39; is not a whole number" in page
    assert store_bytes(ingested_q) == before and tree_hashes(ingested_q / "data" / "raw") == raw
    r = runner.invoke(app, ["ingest", "--quarter", "2031-32 Q1", "--root", str(ingested_q)])
    assert r.exit_code == 1 and "no returns folder" in r.output
    r = runner.invoke(app, ["ingest", "--quarter", "2031 Q9", "--root", str(ingested_q)])
    assert r.exit_code == 2
