"""Sharing: only the agreed indicators, disclosure control applied before sharing, a manifest that is checked."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.disclosure.suppress import suppress_breakdown
from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.periods import Quarter
from lscb_analysis.region.exchange import EXCHANGE_COLUMNS, Manifest
from lscb_analysis.region.settings import SharingError
from lscb_analysis.region.share import Shared, exchange_rows, share_quarter
from lscb_analysis.tidy import TOTAL

Q = Quarter(2026, 2)


def _rows(indicator: str, cells: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "period": Q.period,
                "area": "DEMO",
                "breakdown": b,
                "breakdown_value": v,
                "numerator": n,
                "denominator": d,
                "value": n / d * 100,
                "status": "",
            }
            for b, v, n, d in cells
        ]
    )


def test_a_small_count_is_shared_as_the_symbol_never_the_number():
    figures = pd.concat(
        [
            _rows("small_pct", [(TOTAL, TOTAL, 3, 40)]),
            _rows("big_pct", [(TOTAL, TOTAL, 30, 40)]),
            _rows("not_agreed_pct", [(TOTAL, TOTAL, 12, 40)]),
        ]
    )
    shared = [Shared("small", "small_pct", "percentage", False), Shared("big", "big_pct", "percentage", False)]
    out = exchange_rows(figures, shared, partnership="DEMO", quarter=Q, rule=Disclosure())
    assert list(out.columns) == EXCHANGE_COLUMNS
    assert out["indicator_id"].tolist() == ["small", "big"]  # only what was agreed, on the region's ids
    small = out.iloc[0]
    assert (small["numerator"], small["denominator"]) == ("c", "40")
    assert (out.iloc[1]["numerator"], out.iloc[1]["denominator"]) == ("30", "40")
    assert "3" not in out["numerator"].tolist()


def test_a_total_the_pack_hides_to_protect_a_breakdown_is_hidden_in_the_shared_file():
    # one locality of 2 (suppressed), the other 10: publishing the total 12 would reveal the 2 (12 - 10),
    # so the pack hides a complementary cell; the shared total follows the pack's suppression exactly.
    figures = _rows(
        "cp_pct",
        [(TOTAL, TOTAL, 12, 50), ("locality", "North", 2, 20), ("locality", "South", 10, 30)],
    )
    out = exchange_rows(
        figures, [Shared("cp", "cp_pct", "percentage", True)], partnership="DEMO", quarter=Q, rule=Disclosure()
    )
    pack = suppress_breakdown(figures, Disclosure(), sums_to_total=True)
    # the pack hides South (complementary) and publishes the total: the shared total is the pack's
    assert pd.isna(pack["numerator"].iloc[2]) and pack["numerator"].iloc[0] == 12
    assert out.iloc[0]["numerator"] == "12"


def test_a_figure_the_store_lacks_is_shared_as_not_available():
    out = exchange_rows(
        _rows("a_pct", [(TOTAL, TOTAL, 30, 40)]),
        [Shared("b", "b_pct", "percentage", False)],
        partnership="DEMO",
        quarter=Q,
        rule=Disclosure(),
    )
    assert (out.iloc[0]["numerator"], out.iloc[0]["denominator"]) == ("x", "x")


SHARING = """\
region: Vale and Fen safeguarding region
agreement: VF-ISA-2026-01
may_be_named: false
definitions_version: "2026.1"
indicators:
  - id: cpp_rate
  - id: cp_reviews_in_time_pct
  - id: repeat_plans_pct
    local_id: cpp_second_or_subsequent_pct
    local_definition: second plan within two years of the previous one
"""


@pytest.fixture
def shared(project):
    ingest_quarters([Q], project)
    (project / "parameters" / "sharing.yaml").write_text(SHARING, encoding="utf-8")
    return project, share_quarter(Q, project)


def test_share_writes_the_agreed_indicators_and_a_manifest_matching_the_file(shared):
    project, (csv_file, manifest_file) = shared
    assert csv_file.parent == project / "reports" / "share" / Q.slug
    table = pd.read_csv(csv_file, dtype=str, keep_default_na=False)
    assert table["indicator_id"].tolist() == ["cpp_rate", "cp_reviews_in_time_pct", "repeat_plans_pct"]
    assert table["definition"].tolist() == ["common", "common", "local"]
    assert set(table["partnership"]) == {"DEMO"} and set(table["quarter"]) == {Q.code}
    man = Manifest.model_validate(json.loads(manifest_file.read_text(encoding="utf-8")))
    assert man.sha256 == hashlib.sha256(csv_file.read_bytes()).hexdigest()
    assert man.rows == 3 and man.file == csv_file.name
    assert man.agreement == "VF-ISA-2026-01" and man.may_be_named is False
    assert man.definitions_version == "2026.1"
    assert man.local_definitions == {"repeat_plans_pct": "second plan within two years of the previous one"}
    # no count in the partnership's suppression range is shared as a number
    for c in ("numerator", "denominator"):
        nums = pd.to_numeric(table[c], errors="coerce").dropna()
        assert not ((nums >= man.disclosure.min_count) & (nums <= man.disclosure.max_count)).any()


def test_sharing_twice_gives_the_same_bytes(shared):
    project, (csv_file, manifest_file) = shared
    first = csv_file.read_bytes(), manifest_file.read_bytes()
    share_quarter(Q, project)
    assert (csv_file.read_bytes(), manifest_file.read_bytes()) == first


def test_an_unknown_local_indicator_is_refused_with_the_entry_named(project):
    (project / "parameters" / "sharing.yaml").write_text(
        SHARING.replace("local_id: cpp_second_or_subsequent_pct", "local_id: no_such_indicator"), encoding="utf-8"
    )
    with pytest.raises(SharingError) as err:
        share_quarter(Q, project)
    assert "repeat_plans_pct" in str(err.value) and "no_such_indicator" in str(err.value)
    assert err.value.exit_code == 2


def test_the_share_command_prints_both_files(shared, tmp_path):
    from typer.testing import CliRunner

    from lscb_analysis.cli import app

    project, _ = shared
    res = CliRunner().invoke(app, ["share", "--quarter", Q.code, "--out", str(tmp_path), "--root", str(project)])
    assert res.exit_code == 0, res.output
    assert res.output.split() == [str(tmp_path / f"DEMO_{Q.slug}.csv"), str(tmp_path / f"DEMO_{Q.slug}.json")]
