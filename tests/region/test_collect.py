"""Regional ingest: the guarantees of returns (rule codes, nothing from a rejected file, restatements kept)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.periods import Quarter
from lscb_analysis.region.collect import ingest_region, read_manifests
from lscb_analysis.region.compare import compare_quarter
from lscb_analysis.region.demo import DEMO_LAST
from lscb_analysis.region.exchange import write_exchange
from lscb_analysis.region.settings import load_region
from lscb_analysis.store import read_figures, read_history

Q = DEMO_LAST
PREVIOUS = Quarter(2026, 1)


def _codes(res, severity: str | None = None) -> set[str]:
    return {f.rule for f in res.findings if severity is None or f.severity == severity}


def _file(region, member: str, q: Quarter = Q):
    return region / "data" / "raw" / "shared" / q.slug / f"{member}_{q.slug}"


def test_the_demo_ingests_with_only_the_planted_warnings(region):
    res = ingest_region([PREVIOUS, Q], region)
    assert not res.errors
    missing = [f for f in res.findings if f.rule == "X022-partnership-missing"]
    assert [(f.provider, f.quarter) for f in missing] == [("FENW", Q.code)]  # the late partnership
    local = [f for f in res.findings if f.rule == "X020-local-definition"]
    assert {f.provider for f in local} == {"DUNH"}
    fig = read_figures(region)
    assert set(fig.loc[fig["period"] == Q.period, "area"]) == {"ASHM", "BRIN", "CORV", "DUNH", "ELVE"}


def test_a_file_changed_after_sharing_is_refused_and_nothing_of_it_is_stored(region):
    csv = _file(region, "BRIN").with_suffix(".csv")
    text = csv.read_text(encoding="utf-8").replace(",common,rate_per_10000,585,", ",common,rate_per_10000,385,")
    assert text != csv.read_text(encoding="utf-8")
    csv.write_text(text, encoding="utf-8")
    res = ingest_region([Q], region)
    assert res.blocked and [p.name for p in res.rejected] == [csv.name]
    bad = [f for f in res.errors if f.file.endswith(csv.name)]
    assert [f.rule for f in bad] == ["X006-checksum-mismatch"]
    fig = read_figures(region)
    assert not ((fig["area"] == "BRIN") & (fig["period"] == Q.period)).any()
    assert ((fig["area"] == "ASHM") & (fig["period"] == Q.period)).any()  # the others' files were accepted


def test_a_missing_manifest_is_an_error(region):
    _file(region, "ASHM").with_suffix(".json").unlink()
    res = ingest_region([Q], region)
    assert "X004-manifest-missing" in _codes(res, "error")


def _reshare(region, member: str, q: Quarter, edit, **manifest) -> None:
    """Write a member's file again through the exchange writer (a valid checksum), with rows edited."""
    base = _file(region, member, q)
    man = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
    rows = pd.read_csv(base.with_suffix(".csv"), dtype=str, keep_default_na=False)
    rows = edit(rows)
    args = {
        "partnership": man["partnership"],
        "partnership_name": man["partnership_name"],
        "quarter": q,
        "definitions_version": man["definitions_version"],
        "agreement": man["agreement"],
        "may_be_named": man["may_be_named"],
        "local_definitions": man["local_definitions"],
        "disclosure": Disclosure(**man["disclosure"]),
    } | manifest
    write_exchange(rows, base.parent, **args)


def test_figures_on_other_definitions_are_refused(region):
    _reshare(region, "ASHM", Q, lambda r: r, definitions_version="2025.3")
    res = ingest_region([Q], region)
    assert [f.rule for f in res.errors] == ["X009-definitions-version"]
    assert "2025.3" in res.errors[0].message and "2026.1" in res.errors[0].message
    fig = read_figures(region)
    assert not ((fig["area"] == "ASHM") & (fig["period"] == Q.period)).any()


def test_a_local_definition_without_its_explanation_is_refused(region):
    _reshare(region, "DUNH", Q, lambda r: r, local_definitions={})
    res = ingest_region([Q], region)
    assert "X012-definition-invalid" in _codes(res, "error")


def test_a_small_count_shared_as_a_number_is_refused(region):
    def small(r: pd.DataFrame) -> pd.DataFrame:
        r.loc[r["indicator_id"] == "rereferrals_pct", "numerator"] = "4"
        return r

    _reshare(region, "ASHM", Q, small)
    res = ingest_region([Q], region)
    assert [f.rule for f in res.errors] == ["X017-small-count-shared"]
    assert res.errors[0].column == "numerator" and res.errors[0].row == 4


def test_a_partnership_that_is_not_a_member_is_refused(region):
    for ext in (".csv", ".json"):
        src = _file(region, "ASHM").with_suffix(ext)
        src.rename(src.with_name(src.name.replace("ASHM", "ZZZZ")))
    res = ingest_region([Q], region)
    assert "X003-not-a-member" in _codes(res, "error")
    assert ("ASHM", Q.code) in {(f.provider, f.quarter) for f in res.findings if f.rule == "X022-partnership-missing"}


def test_a_restated_quarter_keeps_the_old_value_with_its_file_hash_and_time(region):
    first = ingest_region([PREVIOUS], region)
    assert not first.errors
    old = read_figures(region)
    old_row = old[(old["area"] == "ELVE") & (old["period"] == PREVIOUS.period) & (old["indicator_id"] == "cla_rate")]

    def restate(r: pd.DataFrame) -> pd.DataFrame:
        r.loc[r["indicator_id"] == "cla_rate", "numerator"] = str(int(old_row["numerator"].iloc[0]) + 40)
        return r

    _reshare(region, "ELVE", PREVIOUS, restate)
    res = ingest_region([PREVIOUS], region)
    assert not res.errors and res.restated == 1 and res.changed == 1
    restated = [f for f in res.findings if f.rule == "X023-restatement"]
    assert len(restated) == 1 and "cla_rate" in restated[0].message
    hist = read_history(region)
    cell = hist[(hist["area"] == "ELVE") & (hist["period"] == PREVIOUS.period) & (hist["indicator_id"] == "cla_rate")]
    assert cell["numerator"].tolist() == [old_row["numerator"].iloc[0], old_row["numerator"].iloc[0] + 40]
    assert cell["file_sha256"].nunique() == 2 and cell["ingested_at"].nunique() == 2
    assert cell["source_file"].iloc[0] == old_row["source_file"].iloc[0]
    now = read_figures(region)
    assert (
        now.loc[
            now.index[
                (now["area"] == "ELVE") & (now["period"] == PREVIOUS.period) & (now["indicator_id"] == "cla_rate")
            ],
            "numerator",
        ].iloc[0]
        == old_row["numerator"].iloc[0] + 40
    )


def test_ingesting_again_changes_nothing(region):
    ingest_region([Q], region)
    before = read_history(region)
    again = ingest_region([Q], region)
    assert again.changed == 0
    pd.testing.assert_frame_equal(read_history(region), before)


def test_a_local_variant_is_shown_separately_and_never_pooled(region):
    ingest_region([Q], region)
    settings = load_region(region)
    rq = compare_quarter(read_figures(region), settings, read_manifests(region), Q)
    ind = "cpp_second_or_subsequent_pct"
    common = rq.partnerships[rq.partnerships["indicator_id"] == ind]
    assert "DUNH" not in set(common["member"])  # not ranked or compared
    assert rq.local["member"].tolist() == ["DUNH"]
    assert rq.local["definition"].iloc[0].startswith("second plan within two years")
    reg = rq.regional.set_index("indicator_id").loc[ind]
    assert reg["numerator"] == common["numerator"].sum() and reg["n_included"] == len(common)
    assert rq.local["shown"].iloc[0] == "Partnership 1"  # Dunholt may not be named


@pytest.mark.parametrize("quarter", [Quarter(2030, 1)])
def test_a_quarter_without_a_folder_is_a_data_problem(region, quarter):
    from lscb_analysis.region.collect import SharedNotFoundError

    with pytest.raises(SharedNotFoundError) as err:
        ingest_region([quarter], region)
    assert err.value.exit_code == 1
