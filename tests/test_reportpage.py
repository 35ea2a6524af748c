"""A published report page's furniture: title, landmarks, links to the pack, contents, text alternatives."""

from __future__ import annotations

import base64
import re

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lscb_analysis.periods import Quarter
from lscb_analysis.publish.htmlexport import notebook_to_html
from lscb_analysis.publish.plan import Page, PageLink, plan_reports
from lscb_analysis.publish.reportpage import CONTENTS_MIN_SECTIONS, finish_page

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()  # pragma: allowlist secret
NBCONVERT_ALT = "No description has been provided for this image"


def _report(sections: int = 3) -> object:
    head = new_code_cell("report.header(ctx, 'Health')")
    head.outputs = [new_output("display_data", data={"text/markdown": "# Health\n\n**Partnership**, 2026-27 Q2."})]
    cells = [head]
    for i in range(sections):
        cells.append(new_markdown_cell(f"## Section {i + 1}"))
        chart = new_code_cell("report.chart()")
        chart.outputs = [
            new_output("display_data", data={"text/markdown": f"### Indicator {i + 1}"}),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        ]
        cells.append(chart)
    photo = new_code_cell("display(Image(jpeg))")
    photo.outputs = [new_output("display_data", data={"image/jpeg": PNG})]
    cells.append(photo)
    own = new_code_cell("display(fig, metadata=...)")
    own.outputs = [
        new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"image/png": {"alt": "SPC chart of referrals: latest 175, mean 159, no special cause"}},
        )
    ]
    cells.append(own)
    return new_notebook(cells=cells)


PAGE = Page(
    "Safeguarding Children in Health",
    "Castlemoor Safeguarding Children Partnership: board pack, 2026-27 Q2 (Jul-Sep 2026)",
    previous=PageLink("Neglect Sub-Group", "subgroup_neglect.html"),
    next=PageLink("Safeguarding Children in Education", "subgroup_education.html"),
)


def test_every_chart_has_a_text_alternative_and_never_nbconverts_placeholder():
    html = notebook_to_html(_report(), PAGE)
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert len(alts) == 5 and all(a.strip() for a in alts)
    assert alts[:4] == ["Chart: Indicator 1", "Chart: Indicator 2", "Chart: Indicator 3", "Chart: Indicator 3"]
    assert alts[4] == "SPC chart of referrals: latest 175, mean 159, no special cause", "the chart's own alt is kept"
    assert NBCONVERT_ALT not in html
    assert NBCONVERT_ALT not in notebook_to_html(_report()), "a notebook converted on its own too"


def test_a_pack_page_has_its_title_landmarks_and_links_to_the_front_page_and_its_neighbours():
    html = notebook_to_html(_report(), PAGE)
    assert f"<title>{PAGE.title} - {PAGE.pack}</title>" in html
    assert html.count("<main") == 1 and "<header" in html and "<footer" in html
    assert re.search(r'<nav [^>]*aria-label="Board pack"', html)
    assert html.count('href="index.html"') == 2, "front page linked from the header and the footer"
    assert 'href="subgroup_neglect.html" rel="prev">Previous: Neglect Sub-Group' in html
    assert 'href="subgroup_education.html" rel="next">Next: Safeguarding Children in Education' in html
    assert 'href="#lscb-content"' in html and 'id="lscb-content"' in html, "a skip link to the report"


def test_a_notebook_converted_on_its_own_is_titled_by_its_first_heading_and_links_nowhere():
    html = notebook_to_html(_report())
    assert "<title>Health</title>" in html
    assert "index.html" not in html and "<header" not in html
    assert "<title>Notebook</title>" not in html


def test_a_long_report_lists_its_sections_after_the_title_block():
    html = notebook_to_html(_report(CONTENTS_MIN_SECTIONS), PAGE)
    nav = re.search(r'<nav aria-labelledby="lscb-contents-title" class="lscb-contents">(.*?)</nav>', html, re.S)
    assert nav, "contents"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(1))
    assert [t for _, t in links] == [f"Section {i + 1}" for i in range(CONTENTS_MIN_SECTIONS)]
    for anchor, _ in links:
        assert f'id="{anchor}"' in html
    assert html.index("lscb-contents") > html.index("<h1"), "after the title block"
    assert "lscb-contents" not in notebook_to_html(_report(CONTENTS_MIN_SECTIONS - 1), PAGE), "a short one has none"


def test_contents_give_an_id_to_a_heading_without_one():
    body = "<main><h1>T</h1>" + "".join(f"<h2>Part {i}</h2>" for i in range(3)) + "<h2 id='x'>Last</h2></main>"
    out = finish_page(body)
    assert '<a href="#part-0">Part 0</a>' in out and 'id="part-0"' in out and '<a href="#x">Last</a>' in out


def test_each_report_knows_its_neighbours_in_the_whole_pack_order():
    q = Quarter.parse("2026-27 Q2")
    pack = plan_reports(q)
    assert pack[0].previous is None and pack[-1].next is None
    for before, after in zip(pack, pack[1:], strict=False):
        assert before.next == PageLink(after.title, after.html)
        assert after.previous == PageLink(before.title, before.html)
    one = pack[3]
    sid = one.parameters["subgroup"]
    (alone,) = plan_reports(q, subgroups=[sid])
    assert (alone.previous, alone.next) == (one.previous, one.next), "a run of one sub-group keeps the pack's links"


def test_a_page_keeps_one_title_and_a_notebooks_own_title_becomes_a_section():
    body = "<header><h1>Report title</h1></header><main><h1>Worked example</h1><p>Why</p><h2>Figures</h2></main>"
    out = finish_page(body)
    assert out.count("<h1") == 1 and "<h1>Report title</h1>" in out
    assert "<h2>Worked example</h2>" in out
    one = "<main><h1>T</h1><h2>A</h2></main>"
    assert finish_page(one) == one, "a page with one title and few sections is unchanged"


def test_names_people_typed_reach_the_page_furniture_as_text():
    evil = "<style>@import 'https://evil.example/a.css';</style><b>x</b>"
    page = Page(
        f"Health {evil}",
        f"Castlemoor {evil}: board pack",
        previous=PageLink(f"Neglect {evil}", "subgroup_neglect.html"),
        next=PageLink(f"Education {evil}", 'subgroup_education.html"><script>'),
    )
    html = notebook_to_html(_report(1), page)
    assert "<style>@import" not in html and "<b>x</b>" not in html and "<script>" not in html
    assert "Castlemoor &lt;style&gt;@import" in html and "Previous: Neglect &lt;style&gt;" in html


def test_the_page_pass_does_what_nbconvert_s_own_pass_would():
    """The exporter skips nbconvert's BeautifulSoup pass (alt text, focusable outputs); finish_page does it instead."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from lscb_analysis.publish.htmlexport import _exporter

    nb = _report()
    raw = new_code_cell("display(HTML(img))")
    raw.outputs = [new_output("display_data", data={"text/html": f"<img src='data:image/png;base64,{PNG}'>"})]
    nb.cells.append(raw)
    ours = BeautifulSoup(notebook_to_html(nb, PAGE), "html.parser")
    theirs = BeautifulSoup(HTMLExporter(template_name="lab").from_notebook_node(nb)[0], "html.parser")

    def focusable(soup: BeautifulSoup) -> int:
        return len(soup.select(".jp-Notebook div.jp-OutputArea-output[tabindex='0']"))

    assert focusable(ours) == focusable(theirs) > 0, "every output area focusable, as nbconvert makes it"
    assert not ours.select("img:not([alt])"), "no image without a text alternative"
    assert [i["alt"] for i in ours.select("img") if i["alt"] == NBCONVERT_ALT] == [NBCONVERT_ALT], (
        "only the image in raw HTML, which no chart section described, gets nbconvert's words"
    )
    assert type(_exporter()).from_notebook_node is not HTMLExporter.from_notebook_node, "its own pass is skipped"


def test_an_output_that_shows_nothing_leaves_no_trace_on_the_page():
    """A narrative call with nothing to show keeps an empty output in the notebook (for a refresh to fill): the
    page shows neither a gap nor an empty stop in the tab order."""
    from bs4 import BeautifulSoup

    from lscb_analysis.render.narrative import NARRATIVE_MIME

    nb = _report()
    empty = new_code_cell("report.narrative(ctx, subgroup, 'feedback');")
    empty.outputs = [new_output("display_data", data={"text/html": "", NARRATIVE_MIME: {"keys": ["feedback"]}})]
    shown = new_code_cell("report.narrative(ctx, subgroup, 'audit_findings');")
    shown.outputs = [new_output("display_data", data={"text/html": "<p>Audited.</p>", NARRATIVE_MIME: {}})]
    nb.cells += [empty, shown]
    page = BeautifulSoup(notebook_to_html(nb, PAGE), "html.parser")
    outputs = page.select(".jp-Notebook div.jp-OutputArea-output")
    assert outputs and all(o.find(True) or o.get_text(strip=True) for o in outputs), "no empty output"
    assert [o.get_text(strip=True) for o in outputs][-1] == "Audited."
    cells = page.select(".jp-Notebook div.jp-Cell")
    assert "jp-mod-noOutputs" in cells[-2]["class"] and not cells[-2].find(True), "as a cell with no output is"
    assert (
        len(outputs)
        == len(
            BeautifulSoup(notebook_to_html(_report(), PAGE), "html.parser").select(
                ".jp-Notebook div.jp-OutputArea-output"
            )
        )
        + 1
    ), "only the empty one left out"
