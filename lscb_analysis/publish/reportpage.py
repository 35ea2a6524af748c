"""The furniture of a published report page: title, landmarks, navigation, contents, text alternatives.

Used by :mod:`lscb_analysis.publish.htmlexport` with the page template
``render/templates/nbconvert/lscb_offline.html.j2``, which gives the page its
``<title>``, ``<header>``, ``<footer>`` and links from a
:class:`lscb_analysis.publish.plan.Page`:

* :func:`add_contents` keeps one ``<h1>`` per page (the title; a notebook's own
  Markdown title after it becomes a section heading) and lists a long report's
  sections at its top;
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

__all__ = ["add_contents", "first_heading", "AltTextPreprocessor", "CONTENTS_MIN_SECTIONS"]


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


def add_contents(body: str) -> str:
    """Keep one title per page and put a list of the report's sections (its ``<h2>`` headings) before the first.

    A page has one ``<h1>``, its title (WCAG 1.3.1, and what screen readers
    jump to): every later ``<h1>`` (a forked or worked-example notebook's own
    Markdown title after ``report.header``) becomes an ``<h2>``. Headings
    without an ``id`` get one. A report with fewer than
    :data:`CONTENTS_MIN_SECTIONS` sections gets no list.
    """
    soup = BeautifulSoup(body, features="html.parser")
    main = soup.find("main")
    if main is None:
        return body
    titles = soup.find_all("h1")
    for extra in titles[1:]:
        extra.name = "h2"
    headings = main.find_all("h2")
    if len(headings) < CONTENTS_MIN_SECTIONS:
        return str(soup) if len(titles) > 1 else body
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
