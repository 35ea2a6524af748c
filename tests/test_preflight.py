"""Free text is checked before a run (file, line, what), and the reports that would show it are held back."""

from __future__ import annotations

import json
from pathlib import Path

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.parameters.catalogue import load_catalogue
from lscb_analysis.periods import Quarter
from lscb_analysis.publish.plan import CORE, plan_reports
from lscb_analysis.publish.preflight import audit_page, refuse_reports, scan_free_text

Q = Quarter.parse("2026-27 Q2")


def _problems(project: Path) -> list:
    return scan_free_text(Q, load_catalogue(project / "parameters"), project)


def test_the_demo_parameters_are_clean(project):
    assert [str(p) for p in _problems(project)] == []


def test_each_problem_names_the_file_the_line_and_what_was_found(project):
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    lines = narrative.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "We met a boy named Jayden, born on 12/03/2019, at LS1 4AB.")
    narrative.write_text("\n".join(lines) + "\n", encoding="utf-8")
    actions = project / "parameters" / "actions" / "health.yaml"
    text = actions.read_text(encoding="utf-8")
    text = text.replace("    update: Case sample agreed;", "    update: NHS 943 476 5919 seen. Case sample agreed;", 1)
    actions.write_text(text, encoding="utf-8")
    annotations = project / "parameters" / "annotations.yaml"
    annotations.write_text(
        annotations.read_text(encoding="utf-8")
        + "\n  - indicator: cpp_rate\n    period: 2025-26 Q1\n    text: >-\n      Context only.\n"
        "      Two children moved in.\n    author: JS\n",
        encoding="utf-8",
    )
    found = _problems(project)
    shown = [str(p) for p in found]
    rel = f"parameters/narratives/{Q.slug}/neglect.md"
    assert f"{rel}, line 5: looks like a person's name (with an age, or given as a name); remove it" in shown[0]
    assert {p.finding.rule for p in found if p.finding.file == rel} == {
        "D009-person-name",
        "D006-date-of-birth",
        "D005-postcode",
    }
    assert all("Jayden" not in s and "LS1 4AB" not in s and "943 476" not in s for s in shown), "excerpts are masked"
    action = next(p for p in found if p.finding.file == "parameters/actions/health.yaml")
    assert action.finding.rule == "D003-nhs-number" and action.reports == {"subgroup_health", CORE}
    assert text.splitlines()[action.finding.line - 1].strip().startswith("update: NHS"), "the update's line"
    ann = next(p for p in found if p.finding.file == "parameters/annotations.yaml")
    assert ann.finding.rule == "D008-small-number-in-text" and ann.holds_back
    assert ann.reports == {"subgroup_safeguarding_and_reviewing", CORE, "explore"}
    last = annotations.read_text(encoding="utf-8").splitlines()
    assert "Two children" in last[ann.finding.line - 1], "a folded scalar's line is the line of the text"


def test_the_reports_that_show_the_text_are_held_back_and_the_rest_run(project):
    narrative = project / "parameters" / "narratives" / Q.slug / "neglect.md"
    narrative.write_text("## Voice of the child\n\nNHS number 943 476 5919.\n\nOn 01/02/2026 we met.\n")
    specs = plan_reports(Q, root=project)
    run, refused = refuse_reports(specs, _problems(project))
    assert [r.name for r in refused] == ["subgroup_neglect"]
    assert len(run) == len(specs) - 1
    r = refused[0]
    assert not r.ok and r.error.startswith("not published: personal data or small numbers of people in parameters/")
    assert any("line 3" in n and "D003-nhs-number" in n for n in r.notes)
    # a full numeric date is reported for a person to check, but holds nothing back on its own
    narrative.write_text("## Voice of the child\n\nOn 01/02/2026 we met.\n")
    dated = _problems(project)
    assert [p.finding.rule for p in dated] == ["D007-date"] and not dated[0].holds_back
    assert refuse_reports(specs, dated)[1] == []


def test_a_deep_dive_is_held_back_with_the_report_it_was_forked_from(project):
    dives = project / "notebooks" / "deep_dives"
    dives.mkdir(exist_ok=True)
    source = json.loads((project / "notebooks" / "subgroup_report.ipynb").read_text(encoding="utf-8"))
    forked = dict(source, metadata={**source["metadata"], "lscb": {"forked_from": {
        "notebook": "notebooks/subgroup_report.ipynb", "parameters": {"subgroup": "neglect"}}}})  # fmt: skip
    (dives / "2026-12-01-neglect.ipynb").write_text(json.dumps(forked), encoding="utf-8")
    (dives / "2026-12-01-unknown.ipynb").write_text(json.dumps(source), encoding="utf-8")
    narrative = project / "parameters" / "narratives" / Q.slug / "health.md"
    narrative.write_text("## Voice of the child\n\nLS1 4AB\n")
    refused = {r.name for r in refuse_reports(plan_reports(Q, root=project), _problems(project))[1]}
    assert refused == {"subgroup_health", "deep_dive_2026-12-01-unknown"}, "unknown origin: it may show anything"
    narrative.write_text("## Voice of the child\n\nNothing to report.\n")
    (project / "parameters" / "narratives" / Q.slug / "neglect.md").write_text("## Voice of the child\n\nLS1 4AB\n")
    refused = {r.name for r in refuse_reports(plan_reports(Q, root=project), _problems(project))[1]}
    assert refused == {"subgroup_neglect", "deep_dive_2026-12-01-neglect", "deep_dive_2026-12-01-unknown"}


def test_a_page_that_fails_the_disclosure_audit_is_refused():
    page = "<table><thead><tr><th>Number of children</th></tr></thead><tbody><tr><td>3</td></tr></tbody></table>"
    assert [f.rule for f in audit_page(page, Disclosure(), "x.html")] == ["D001-small-count"]
    assert audit_page("<p>Postcode LS1 4AB</p>", Disclosure(), "x.html")[0].rule == "D005-postcode"
    assert audit_page("<p>On 12/03/2019 the board met.</p>", Disclosure(), "x.html") == [], "warnings do not refuse"


def test_an_annotation_on_several_indicators_holds_back_each_of_their_reports(project):
    cat = load_catalogue(project / "parameters")
    annotations = project / "parameters" / "annotations.yaml"
    annotations.write_text(
        annotations.read_text(encoding="utf-8")
        + "\n  - indicator: [cpp_rate, missing_from_home]\n    period: 2025-26 Q1\n    change: service\n"
        "    text: Postcode LS1 4AB.\n    author: JS\n",
        encoding="utf-8",
    )
    (ann,) = _problems(project)
    subgroups = {f"subgroup_{cat.indicators[i].subgroup}" for i in ("cpp_rate", "missing_from_home")}
    assert ann.finding.rule == "D005-postcode" and ann.reports == subgroups | {CORE, "explore"}
