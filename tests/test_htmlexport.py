"""Published HTML reads offline: no code, no external requests, widgets fall back to static output."""

from __future__ import annotations

import base64
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lscb_analysis.ingest import ingest_quarters
from lscb_analysis.publish.htmlexport import WIDGET_NOTE, ActiveContentError, export_html, notebook_to_html
from lscb_analysis.publish.page_scan import active_content, external_requests
from lscb_analysis.render.sanitise import CONTENT_SECURITY_POLICY
from lscb_analysis.returns.folders import return_folders

ROOT = Path(__file__).resolve().parents[1]
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()  # pragma: allowlist secret
WIDGET_VIEW = {
    "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
    "text/plain": "VBox(children=(Dropdown(...),))",
}
STATE = {
    "version_major": 2,
    "version_minor": 0,
    "state": {
        "abc": {
            "model_name": "VBoxModel",
            "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0",
            "state": {"children": []},
        }
    },
}


def _widget_notebook() -> nbformat.NotebookNode:
    code = new_code_cell("secret_code_should_not_show = 1\nexplorer.show()")
    code.outputs = [new_output("display_data", data=WIDGET_VIEW)]
    snap = new_code_cell("explorer.snapshot()")
    snap.outputs = [
        new_output("display_data", data={"text/html": "<p>Snapshot caption</p>"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
    ]
    md = new_markdown_cell(
        "# Title\n\nMath $x^2$ and a logo ![logo](https://example.org/logo.png) and a [link](https://gov.uk)."
    )
    note = new_markdown_cell("Analyst only: rerun after editing", metadata={"tags": ["analyst-note"]})
    nb = new_notebook(cells=[note, md, code, snap])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": STATE}
    return nb


# ------------------------------------------------------------ unit tests
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="https://cdn.example/require.js"></script>', ["https://cdn.example/require.js"]),
        ('<script src="//unpkg.com/x.js"></script>', ["//unpkg.com/x.js"]),
        ('<link rel="stylesheet" href="http://fonts.example/css">', ["http://fonts.example/css"]),
        ('<img src="https://example.org/a.png" alt="a">', ["https://example.org/a.png"]),
        ('<img srcset="a.png 1x, https://x.org/b.png 2x">', ["https://x.org/b.png"]),
        ('<img srcset="data:image/png;base64,AA,BB 1x, https://x.org/c.png 2x">', ["https://x.org/c.png"]),
        ('<img src="https:evil.example/a.png">', ["https:evil.example/a.png"]),
        ('<img src="ht\ttps://evil.example/a.png">', ["ht\ttps://evil.example/a.png"]),
        ('<img src="&#104;ttps://evil.example/a.png">', ["https://evil.example/a.png"]),
        ('<img src="\\\\evil.example/a.png">', ["\\\\evil.example/a.png"]),
        ('<svg><image xlink:href="https://e.example/x.png"/></svg>', ["https://e.example/x.png"]),
        ('<table background="https://e.example/t.png"></table>', ["https://e.example/t.png"]),
        ("<p style=\"background:image-set('https://e.example/i.png' 1x)\">", ["https://e.example/i.png"]),
        ('<p style="background:\\75 rl(https://e.example/u.png)">', ["https://e.example/u.png"]),
        ('<p style="background:u/**/rl(https://e.example/c.png)">', []),
        ('<iframe srcdoc="<img src=https://e.example/s.png>"></iframe>', ["https://e.example/s.png"]),
        ('<meta http-equiv="refresh" content="0;url=https://e.example/r">', ["https://e.example/r"]),
        ('<form action="https://e.example/f"></form>', []),
        ('<img src="file:///tmp/x.png">', []),
        ("<style>@import url('https://fonts.example/f.css');</style>", ["https://fonts.example/f.css"]),
        ('<div style="background: url(https://x.org/bg.png)"></div>', ["https://x.org/bg.png"]),
        ('<a href="https://www.gov.uk">GOV.UK</a>', []),
        ('<img src="data:image/png;base64,AAAA">', []),
        ('<script type="application/vnd.jupyter.widget-state+json">{"u": "https://x"}</script>', []),
        ('<link rel="canonical" href="https://example.org/page">', []),
    ],
)
def test_external_requests_finds_what_a_browser_would_fetch(html, expected):
    assert external_requests(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>", ["<script>"]),
        ('<script type="application/vnd.jupyter.widget-state+json">{}</script>', []),
        ("<img src=x onerror=alert(1)>", ["<img onerror>"]),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', ["<a href='jav\\tascript:alert(1)'>"]),
        ('<iframe srcdoc="<b>x</b>"></iframe>', ["<iframe srcdoc>", "<iframe>"]),
        ('<meta http-equiv="Refresh" content="5">', ["<meta http-equiv=refresh>"]),
        ('<a href="https://www.gov.uk">x</a><p style="color:red">y</p>', []),
    ],
)
def test_active_content_finds_what_would_run_or_navigate(html, expected):
    assert sorted(active_content(html)) == sorted(expected)


def test_a_page_with_script_left_in_it_is_refused():
    nb = new_notebook(cells=[new_code_cell("x")])
    nb.cells[0].outputs = [new_output("display_data", data={"text/html": "<img src=x onerror=alert(1)>"})]
    with pytest.raises(ActiveContentError, match="onerror"):
        notebook_to_html(nb)


def test_markdown_cells_and_outputs_go_through_the_sanitiser_and_the_page_has_the_csp():
    md = "# Deep dive <img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <script>alert(2)</script>"
    nb = new_notebook(cells=[new_markdown_cell(md), new_code_cell("x")])
    nb.cells[1].outputs = [new_output("display_data", data={"text/markdown": md, "text/plain": "md"})]
    html = notebook_to_html(nb)
    assert active_content(html) == [] and "onerror" not in html and "alert(2)" not in html
    assert html.count("[x](javascript:alert(1))") == 2, "a javascript: link stays text"
    head = html[html.index("<head>") + len("<head>") :].lstrip()
    assert head.startswith("<meta") and "Content-Security-Policy" in head.split(">", 1)[0]
    assert CONTENT_SECURITY_POLICY.replace("'", "&#x27;") in html or CONTENT_SECURITY_POLICY in html


def test_widget_notebook_exports_offline_with_a_static_fallback():
    nb = _widget_notebook()
    html = notebook_to_html(nb)
    assert external_requests(html) == []
    assert "<script src" not in html.lower()
    assert WIDGET_NOTE in html
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert "Snapshot caption" in html and f"data:image/png;base64,{PNG[:20]}" in html
    assert "secret_code_should_not_show" not in html, "code must be hidden"
    assert "https://gov.uk" in html, "ordinary links stay"
    assert "[image: logo]" in html and "example.org/logo.png" not in html, "an image becomes its description"
    # The widgets' last state stays embedded, as inert JSON.
    assert '<script type="application/vnd.jupyter.widget-state+json">' in html
    assert "Analyst only" not in html, "cells tagged analyst-note are not published"
    assert nb.cells[2].outputs[0]["data"] == WIDGET_VIEW, "the input notebook is not modified"


def test_export_html_writes_the_file(tmp_path):
    ipynb, out = tmp_path / "x.ipynb", tmp_path / "x.html"
    nbformat.write(_widget_notebook(), str(ipynb))
    assert export_html(ipynb, out) == out
    assert external_requests(out.read_text(encoding="utf-8")) == []


# ----------------------------------------------- every report type, executed
REPORTS = {
    "core_data_set": ("core_data_set.ipynb", {}),
    "subgroup_neglect": ("subgroup_report.ipynb", {"subgroup": "neglect"}),
    "explore": ("explore.ipynb", {}),
}


def _published(name: str, source: Path) -> Path | None:
    """The latest board pack's executed notebook, when it is newer than its source notebook."""
    reports = ROOT / "reports"
    quarters = (
        sorted((d for d in reports.glob("*-Q[1-4]") if d.is_dir()), key=lambda d: d.name) if reports.exists() else []
    )
    if not quarters:
        return None
    f = quarters[-1] / f"{name}.ipynb"
    return f if f.exists() and f.stat().st_mtime > source.stat().st_mtime else None


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, Path]:
    """Each report type's executed notebook, as the runner makes it.

    Taken from the latest board pack under reports/ when it is up to date (``make test`` runs
    the pack first); otherwise executed here by papermill in a throwaway project.
    """
    import papermill as pm

    found = {name: _published(name, ROOT / "notebooks" / nb) for name, (nb, _) in REPORTS.items()}
    todo = {name: spec for name, spec in REPORTS.items() if found[name] is None}
    if not todo:
        return {name: p for name, p in found.items() if p is not None}
    dst = tmp_path_factory.mktemp("export") / "project"
    for sub in ("parameters", "notebooks"):
        shutil.copytree(ROOT / sub, dst / sub, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "deep_dives"))
    shutil.copytree(ROOT / "data" / "raw", dst / "data" / "raw")
    (dst / "data" / "processed").mkdir(parents=True)
    quarters = list(return_folders(dst))
    ingest_quarters(quarters, dst)
    out = dst / "executed"
    out.mkdir()

    def run(item: tuple[str, tuple[str, dict]]) -> tuple[str, Path]:
        name, (nb, params) = item
        target = out / f"{name}.ipynb"
        try:
            pm.execute_notebook(
                str(dst / "notebooks" / nb),
                str(target),
                parameters={"quarter": quarters[-1].code, "project_root": str(dst), **params},
                cwd=str(dst / "notebooks"),
                progress_bar=False,
                log_output=False,
                report_mode=True,
            )
        except pm.PapermillExecutionError:
            pass  # the runner publishes a failed report too (with its error): export what ran
        return name, target

    with ThreadPoolExecutor(max_workers=len(todo)) as pool:
        made = dict(pool.map(run, todo.items()))
    return {name: found[name] or made[name] for name in REPORTS}


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_type_has_no_external_requests(executed, name, tmp_path):
    html_file = export_html(executed[name], tmp_path / f"{name}.html")
    html = html_file.read_text(encoding="utf-8")
    assert external_requests(html) == [], name
    assert "<script src" not in html.lower()
    assert "load_context(" not in html and 'class="jp-InputPrompt' not in html, "no code shows"
    assert html_file.stat().st_size < 5_000_000


def test_explorer_report_shows_its_last_view_statically(executed, tmp_path):
    nb = json.loads(executed["explore"].read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors
    assert "application/vnd.jupyter.widget-state+json" in nb["metadata"].get("widgets", {}), (
        "papermill keeps the widget state"
    )
    html = export_html(executed["explore"], tmp_path / "explore.html").read_text(encoding="utf-8")
    assert WIDGET_NOTE in html
    assert "Snapshot of the explorer" in html
    assert "data:image/png;base64," in html
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert html.count("application/vnd.jupyter.widget-state+json") == 1


def test_chart_pngs_are_recompressed_without_changing_the_picture():
    import base64
    import io

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    import nbformat
    import numpy as np
    from PIL import Image

    from lscb_analysis.publish.htmlexport import RecompressImagesPreprocessor

    fig, ax = plt.subplots(figsize=(6, 3), dpi=90)
    ax.plot(np.arange(16), np.sin(np.arange(16)), marker="o")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    original = buf.getvalue()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(original).decode()})
    ]
    nb, resources = RecompressImagesPreprocessor().preprocess(nb, {})
    new = base64.b64decode(nb.cells[0].outputs[0]["data"]["image/png"])
    assert resources["lscb_png_bytes_saved"] == len(original) - len(new) > 0
    a = np.asarray(Image.open(io.BytesIO(original)).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(io.BytesIO(new)).convert("RGB"), dtype=int)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2  # same picture, to within palette rounding
