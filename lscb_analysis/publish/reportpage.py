"""The furniture of a published report page: title, landmarks, navigation, contents, text alternatives.

Used by :mod:`lscb_analysis.publish.htmlexport` with the page template
``render/templates/nbconvert/lscb_offline.html.j2``, which gives the page its
``<title>``, ``<header>``, ``<footer>`` and links from a
:class:`lscb_analysis.publish.plan.Page`:

* :func:`finish_page` keeps one ``<h1>`` per page (the title; a notebook's own
  Markdown title after it becomes a section heading), lists a long report's
  sections at its top, and does what nbconvert's exporter would have done in a
  parse of its own (images without a text alternative get nbconvert's, inputs and
  outputs are focusable);
* :class:`AltTextPreprocessor` gives every chart a text alternative: the one its
  output carries in ``metadata["image/png"]["alt"]`` (written from the data by the
  chart's section), else "Chart: <the heading it sits under>". nbconvert's "No
  description has been provided for this image" never reaches a page.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nbformat
from bs4 import BeautifulSoup
from nbconvert.preprocessors import Preprocessor

__all__ = ["finish_page", "first_heading", "AltTextPreprocessor", "CONTENTS_MIN_SECTIONS", "NO_ALT_TEXT"]


class AltTextPreprocessor(Preprocessor):
    """Give every image output a text alternative (``metadata[<mime>]["alt"]``), so no chart is unlabelled.

    A chart's section may write its own from the data (``display(fig, metadata={"image/png": {"alt": ...}})``);
    that is kept. Otherwise the alternative is "Chart: " and the heading the chart sits under (the
    last Markdown heading of the notebook so far, from a Markdown cell or a Markdown or HTML output).
    """

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        heading = ""
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                heading = _last_heading(cell.source, markdown=True) or heading
                continue
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                heading = _last_heading(data.get("text/markdown", ""), markdown=True) or heading
                heading = _last_heading(data.get("text/html", ""), markdown=False) or heading
                for mime in _IMAGE_TYPES & set(data):
                    meta = out.setdefault("metadata", {}).setdefault(mime, {})
                    if not str(meta.get("alt") or "").strip():
                        meta["alt"] = f"Chart: {heading}" if heading else "Chart"
        return nb, resources


_IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
_MD_HEADING = re.compile(r"^#{1,4}\s+(.+?)\s*#*\s*$", re.M)
_HTML_HEADING = re.compile(r"<h[1-4][^>]*>(.*?)</h[1-4]>", re.S | re.I)


def _last_heading(text: Any, *, markdown: bool) -> str:
    """The text of the last heading in a Markdown or HTML string ("" when none)."""
    text = "".join(text) if isinstance(text, list) else str(text or "")
    found = (_MD_HEADING if markdown else _HTML_HEADING).findall(text)
    if not found:
        return ""
    return _plain(found[-1])


def _plain(heading: str) -> str:
    """A heading's words: no tags (raw HTML in Markdown is never copied into a title or alt text), no emphasis."""
    plain = html.unescape(re.sub(r"<[^>]*>?", "", heading))
    return " ".join(re.sub(r"[<>*`]", "", plain).split())


#: A report gets a list of contents when it has at least this many sections (``<h2>`` headings).
CONTENTS_MIN_SECTIONS = 3


#: nbconvert's text alternative for an image that has none (never a chart's: see :class:`AltTextPreprocessor`).
NO_ALT_TEXT = "No description has been provided for this image"


def _focusable_and_described(soup: BeautifulSoup) -> bool:
    """What ``nbconvert.HTMLExporter`` does in a parse of its own; whether anything changed.

    Every ``<img>`` without ``alt`` gets :data:`NO_ALT_TEXT`, and every cell input and
    output area in the notebook is focusable (``tabindex="0"``: scrollable regions reach
    the keyboard).
    """
    changed = False
    for img in soup.find_all("img"):
        if not img.has_attr("alt"):
            img["alt"] = NO_ALT_TEXT
            changed = True
    for notebook in soup.find_all(class_="jp-Notebook"):
        for cls in ("jp-Cell-inputWrapper", "jp-OutputArea-output"):
            for div in notebook.find_all("div", class_=cls):
                div["tabindex"] = "0"
                changed = True
    return changed


def _drop_empty_outputs(soup: BeautifulSoup) -> bool:
    """Remove the outputs that show nothing (a narrative call with nothing to show still leaves its output, for a
    refresh to fill: :func:`lscb_analysis.render.narrative.narrative_output`); whether any was removed.

    An empty output would still take a little space and a stop of the keyboard's tab order.
    """
    empty = [
        child
        for out in soup.find_all("div", class_="jp-OutputArea-output")
        if not out.find(True) and not out.get_text(strip=True)
        for child in [out.find_parent("div", class_="jp-OutputArea-child")]
        if child is not None
    ]
    for child in empty:
        area = child.find_parent("div", class_="jp-OutputArea")
        child.decompose()
        cell = area.find_parent("div", class_="jp-Cell") if area is not None else None
        if cell is not None and not area.find("div", class_="jp-OutputArea-child"):
            cell.clear()  # a cell left with no output, as nbconvert writes one that has none
            cell.append("\n")
            cell["class"].append("jp-mod-noOutputs")
    return bool(empty)


def finish_page(body: str) -> str:
    """Keep one title per page and put a list of the report's sections (its ``<h2>`` headings) before the first.

    A page has one ``<h1>``, its title (WCAG 1.3.1, and what screen readers
    jump to): every later ``<h1>`` (a forked or worked-example notebook's own
    Markdown title after ``report.header``) becomes an ``<h2>``. Headings
    without an ``id`` get one. A report with fewer than
    :data:`CONTENTS_MIN_SECTIONS` sections gets no list. In the same pass over
    the page, outputs that show nothing are removed (:func:`_drop_empty_outputs`), images get a text
    alternative and outputs are made focusable (:func:`_focusable_and_described`, which nbconvert's exporter
    would do in a parse of its own: :mod:`~lscb_analysis.publish.htmlexport` skips it).
    """
    soup = BeautifulSoup(body, features="html.parser")
    changed = _drop_empty_outputs(soup)
    changed = _focusable_and_described(soup) or changed
    main = soup.find("main")
    if main is None:
        return str(soup) if changed else body
    titles = soup.find_all("h1")
    for extra in titles[1:]:
        extra.name = "h2"
    headings = main.find_all("h2")
    if len(headings) < CONTENTS_MIN_SECTIONS:
        return str(soup) if changed or len(titles) > 1 else body
    nav = soup.new_tag("nav", attrs={"class": "lscb-contents", "aria-labelledby": "lscb-contents-title"})
    title = soup.new_tag("h2", attrs={"id": "lscb-contents-title"})
    title.string = "Contents"
    nav.append(title)
    items = soup.new_tag("ol")
    used: set[str] = {str(t["id"]) for t in soup.find_all(id=True)}
    for i, h in enumerate(headings, 1):
        for a in h.find_all("a", class_="anchor-link"):
            a.decompose()
        if not h.get("id"):
            slug = re.sub(r"[^a-z0-9]+", "-", h.get_text(" ").lower()).strip("-") or f"section-{i}"
            while slug in used:
                slug += f"-{i}"
            used.add(slug)
            h["id"] = slug
        li = soup.new_tag("li")
        a = soup.new_tag("a", href=f"#{h['id']}")
        a.string = " ".join(h.get_text(" ").split())
        li.append(a)
        items.append(li)
    nav.append(items)
    headings[0].insert_before(nav)  # after the title block, before the first section
    return str(soup)


def first_heading(nb: nbformat.NotebookNode) -> str:
    """The notebook's first Markdown heading, from a Markdown cell or a Markdown output ("" when none)."""
    for cell in nb.cells:
        texts = (
            [cell.source]
            if cell.cell_type == "markdown"
            else [o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", [])]
        )
        for text in texts:
            found = _MD_HEADING.search("".join(text) if isinstance(text, list) else str(text))
            if found and _plain(found.group(1)):
                return _plain(found.group(1))
    return ""
