"""Publish an executed notebook as self-contained HTML: no code, no external requests.

nbconvert's default HTML template loads require.js, MathJax and mermaid from
public CDNs, and renders ipywidgets with ``@jupyter-widgets/html-manager``
from unpkg. On a council network that blocks those hosts (or offline) the
widget area is simply blank. No pip package installed here ships the
html-manager embed bundle (``widgetsnbextension`` only has the classic
notebook extension, which needs a running notebook; JupyterLab's
labextension needs JupyterLab), and inlining a renderer would cost 1-2 MB per
report against a 1.5 MB budget. So the exporter:

* uses the lab template with every input and prompt hidden, through the
  template file ``render/templates/nbconvert/lscb_offline.html.j2``, which
  drops the CDN ``<script>`` blocks (require.js, MathJax, mermaid, the widget
  renderer loader);
* leaves out cells tagged ``analyst-note`` (or ``remove-cell``): notes for
  whoever edits the notebook, not for board members (nbconvert's
  ``TagRemovePreprocessor``);
* replaces each live widget output (``application/vnd.jupyter.widget-view+json``,
  which cannot render offline) with a short note saying that the interactive
  controls are available in JupyterLab (:class:`WidgetNotePreprocessor`); the
  notebook's static output (e.g. :meth:`lscb_analysis.explore.Explorer.snapshot`)
  stays, so the reader always sees the last view;
* re-encodes chart PNGs with an adaptive palette (:class:`RecompressImagesPreprocessor`);
* gives every chart a text alternative, a page its title, landmarks and navigation, and a long
  report its contents (:mod:`lscb_analysis.publish.reportpage`);
* keeps the widgets' last state embedded as inert JSON
  (``application/vnd.jupyter.widget-state+json``), which requests nothing.

* renders Markdown cells and Markdown outputs through the package's one
  sanitiser (:func:`lscb_analysis.render.sanitise.markdown_html`), never
  nbconvert's renderer (which passes raw HTML through), publishes no
  JavaScript output, and puts the pack's Content-Security-Policy
  (:data:`~lscb_analysis.render.sanitise.CONTENT_SECURITY_POLICY`: no script,
  nothing fetched from off the page) first in ``<head>``.

As a safety net, :func:`notebook_to_html` then removes any remaining tag that
would fetch from outside the machine, keeping an image's alt text, and refuses
the page if anything external (:func:`external_requests`) or active
(:func:`active_content`: script, event handlers, ``javascript:`` URLs, frames,
``<meta http-equiv=refresh>``) is left. The tests hold :func:`external_requests`
against what Chromium actually requests, over a corpus of tricks.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from PIL import Image
from traitlets import Integer
from traitlets.config import Config

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError
from lscb_analysis.publish.plan import Page
from lscb_analysis.publish.reportpage import AltTextPreprocessor, finish_page, first_heading
from lscb_analysis.render.pages import NBCONVERT_TEMPLATES
from lscb_analysis.render.sanitise import csp_meta, escape_text, markdown_html

__all__ = [
    "export_html",
    "notebook_to_html",
    "external_requests",
    "active_content",
    "css_urls",
    "WIDGET_NOTE",
    "HIDDEN_TAGS",
    "ExternalRequestError",
    "ActiveContentError",
    "WidgetNotePreprocessor",
    "RecompressImagesPreprocessor",
]

#: Shown where a live widget was, in the published HTML.
WIDGET_NOTE = "Interactive controls are available when this notebook is opened in JupyterLab."

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: Cells with one of these tags are left out of the published HTML.
HIDDEN_TAGS = frozenset({"analyst-note", "remove-cell", "remove_cell"})

#: The page template, in :data:`~lscb_analysis.render.pages.NBCONVERT_TEMPLATES`; it extends the lab template.
TEMPLATE_FILE = "lscb_offline.html.j2"


class ExternalRequestError(LscbError, RuntimeError):
    """The exported HTML would still fetch something from outside the file."""


class ActiveContentError(LscbError, RuntimeError):
    """The exported HTML has something that would run or navigate (script, event handler, frame...)."""


# ----------------------------------------------------------- preprocessors
class WidgetNotePreprocessor(Preprocessor):
    """Replace the live widget views of each cell with one note (:data:`WIDGET_NOTE`).

    A widget view needs a running kernel; the note says where the controls
    are. The cell's other outputs (the static snapshot) stay.
    """

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        if cell.cell_type != "code":
            return cell, resources
        outs, noted = [], False
        for out in cell.outputs:
            if WIDGET_VIEW not in out.get("data", {}):
                outs.append(out)
            elif not noted:
                outs.append(nbformat.from_dict(_NOTE))
                noted = True
        cell.outputs = outs
        return cell, resources


_NOTE: dict[str, Any] = {
    "output_type": "display_data",
    "data": {"text/html": f"<p class='lscb-widget-note'>{WIDGET_NOTE}</p>", "text/plain": WIDGET_NOTE},
    "metadata": {},
}


class RecompressImagesPreprocessor(Preprocessor):
    """Re-encode chart PNGs with an adaptive palette, when that makes them smaller.

    Matplotlib writes 32-bit RGBA PNGs; charts use a handful of colours plus
    anti-aliasing, which an adaptive 256-colour palette keeps visually
    identical at about a third of the size. This is what keeps a sub-group
    report with every SPC chart under the 1.5 MB budget. The bytes saved are
    added up in ``resources["lscb_png_bytes_saved"]``.
    """

    colours = Integer(256, help="Colours of the adaptive palette.").tag(config=True)

    def preprocess_cell(self, cell: Any, resources: dict, index: int) -> tuple[Any, dict]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if data.get("image/png"):
                raw = base64.b64decode(data["image/png"])
                small = _recompress_png(raw, self.colours)
                if len(small) < len(raw):
                    resources["lscb_png_bytes_saved"] = resources.get("lscb_png_bytes_saved", 0) + len(raw) - len(small)
                    data["image/png"] = base64.b64encode(small).decode("ascii")
        return cell, resources


def _recompress_png(raw: bytes, colours: int) -> bytes:
    """``raw`` as a palette PNG; ``raw`` itself when Pillow cannot read it (published as it is)."""
    try:
        with Image.open(io.BytesIO(raw)) as im:
            small = im.convert("RGB").quantize(
                colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
            buf = io.BytesIO()
            small.save(buf, format="PNG")
    except (OSError, ValueError):
        return raw
    return buf.getvalue()


# ----------------------------------------------------------------- export
class _PageExporter(HTMLExporter):
    """nbconvert's HTML exporter without its own BeautifulSoup pass over the page.

    ``HTMLExporter.from_notebook_node`` parses and re-serialises the whole page to
    give images without one an ``alt`` and make inputs and outputs focusable
    (``tabindex``): a full parse of every page, about a quarter of an export.
    :func:`~lscb_analysis.publish.reportpage.finish_page` does both in the one pass
    it makes anyway (``tests/test_reportpage.py`` holds that they are done). The
    rest is ``HTMLExporter.from_notebook_node`` as nbconvert 7.16-7.17 has it.
    """

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter(
            "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        )
        resources = self._init_resources(resources)
        data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        self.register_filter("filter_data_type", data_type)
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.cache
def _exporter() -> HTMLExporter:
    """The HTML exporter, built once per process (loading its templates takes longer than a conversion)."""
    config = Config({"TagRemovePreprocessor": {"remove_cell_tags": set(HIDDEN_TAGS)}})
    exp = _PageExporter(
        config=config,
        template_name="lab",
        template_file=TEMPLATE_FILE,
        extra_template_paths=[str(NBCONVERT_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # Belt and braces: even if a block of the template is bypassed, nothing points at a CDN.
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
        widget_renderer_url="",
    )
    exp.register_filter("lscb_markdown", markdown_html)
    exp.register_filter("lscb_text", escape_text)  # the pack furniture: names and titles people typed
    exp.register_preprocessor(WidgetNotePreprocessor(), enabled=True)
    exp.register_preprocessor(RecompressImagesPreprocessor(), enabled=True)
    exp.register_preprocessor(AltTextPreprocessor(), enabled=True)
    return exp


def notebook_to_html(nb: nbformat.NotebookNode, page: Page | None = None) -> str:
    """HTML of a notebook node: no code, no script, no external requests, and the pack's CSP.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (not modified: the exporter works on a copy).
    page : Page, optional
        Its place in the board pack: the page's title, landmarks and links. Without it, the page is
        titled after the notebook's first heading and links nowhere.

    Raises
    ------
    ExternalRequestError
        When something external survived (the message lists it); the page is not published.
    ActiveContentError
        When something in the page would run or navigate (:func:`active_content`).
    """
    title = page.html_title if page else first_heading(nb) or "Report"
    nb = nbformat.from_dict({**nb, "metadata": {**nb.metadata, "title": title}})  # a shallow copy: the title
    resources: dict[str, object] = {"lscb_csp_meta": csp_meta()}
    if page:
        resources["lscb"] = page
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body, s = _strip_external(finish_page(body))
    if s.urls:
        raise ExternalRequestError(f"exported HTML still requests {', '.join(sorted(set(s.urls))[:5])}")
    if s.active:
        raise ActiveContentError(f"exported HTML has active content: {', '.join(sorted(set(s.active))[:5])}")
    return body


def export_html(ipynb_path: str | Path, html_path: str | Path, page: Page | None = None) -> Path:
    """Convert an executed notebook to offline, code-free HTML (written atomically).

    Parameters
    ----------
    ipynb_path : path
        The executed notebook.
    html_path : path
        Where to write the HTML.
    page : Page, optional
        Its place in the board pack (:func:`notebook_to_html`).

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    nb = nbformat.read(str(ipynb_path), as_version=4)
    return atomic_write_text(Path(html_path), notebook_to_html(nb, page))


# ------------------------------------------------------- external requests
#: Attributes whose value a browser reads as a URL (on any element, HTML or SVG).
_URL_ATTRS = frozenset(
    "src href srcset imagesrcset background poster data codebase archive lowsrc dynsrc xlink:href manifest "
    "icon profile longdesc action formaction ping cite usemap itemtype".split()
)
#: (tag, attribute) pairs that are followed only when a reader clicks or submits: not requests on load.
_NAVIGATION = frozenset(
    {
        ("a", "href"),
        ("a", "xlink:href"),
        ("a", "ping"),
        ("area", "href"),
        ("area", "ping"),
        ("form", "action"),
        ("button", "formaction"),
        ("input", "formaction"),
        ("blockquote", "cite"),
        ("q", "cite"),
        ("del", "cite"),
        ("ins", "cite"),
    }
)
_ANY_NAVIGATION = frozenset({"longdesc", "usemap", "itemtype"})
_LINK_NAVIGATION = frozenset({"canonical", "alternate", "author", "license", "help", "next", "prev", "search"})
#: Schemes a page may refer to without a request leaving the machine.
_LOCAL_SCHEMES = frozenset({"data", "file", "about", "blob", "javascript", "vbscript", "mailto", "tel", "cid"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|data:\s*(?:text/html|application/xhtml|image/svg))", re.I)
#: Tags that run or embed another document.
_ACTIVE_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"})
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-f]{1,6})[ \t\n\r\f]?|(.))", re.I | re.S)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_URL = re.compile(r"""\burl\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))""", re.I)
_CSS_STRING_FUNCTION = re.compile(r"(?:image-set|image|cross-fade|src)\(", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")


def _clean_url(value: str) -> str:
    """A URL as the browser's URL parser reads it: tabs and newlines removed, C0 and spaces trimmed."""
    return re.sub(r"[\t\n\r]", "", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )


def _is_external(url: str) -> bool:
    """Whether fetching ``url`` from a page would leave the machine (``//host`` counts: a served page)."""
    u = _clean_url(url)
    if re.match(r"^[/\\]{2}", u):
        return True
    m = _SCHEME.match(u)
    return bool(m) and m.group(1).lower() not in _LOCAL_SCHEMES


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (HTML's parsing: a URL is a run of non-space, then descriptors to a comma)."""
    out, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url = url.rstrip(",")
        elif j < n:
            depth = 0
            while j < n and (value[j] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
        if url:
            out.append(url)
        i = j + 1
    return out


def css_urls(css: str) -> list[str]:
    """Every URL a style sheet or ``style`` attribute refers to: ``url()``, ``image-set()``, ``@import``.

    CSS escapes (``\\75 rl(``) and comments are undone first, as the browser's tokenizer does.
    """
    text = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16) or 0xFFFD) if m.group(1) else m.group(2), css)
    text = _CSS_COMMENT.sub(" ", text)  # a comment separates tokens
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]
    found += [m.group(1) if m.group(1) is not None else m.group(2) for m in _CSS_IMPORT.finditer(text)]
    for m in _CSS_STRING_FUNCTION.finditer(text):
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        found += [s.group(1) if s.group(1) is not None else s.group(2) for s in _CSS_STRING.finditer(text[m.end() : j])]
    return found


class _Scanner(HTMLParser):
    """What loading a page would fetch from outside the file, and what in it would run.

    Entities in attribute values are decoded (as the browser does) before any
    URL is read; a frame's ``srcdoc`` is scanned as the document it is.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.active: list[str] = []
        self.tags: list[tuple[int, int, str, dict[str, str | None]]] = []
        self._in_style = False
        self._in_script = False
        self._line_offsets: list[int] = []

    def feed_text(self, text: str) -> None:
        # HTMLParser counts lines by "\n" only.
        self._line_offsets = [0] + [m.end() for m in re.finditer("\n", text)]
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, col = self.getpos()
        return self._line_offsets[line - 1] + col

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        bad: list[str] = []
        if tag in _ACTIVE_TAGS:
            self.active.append(f"<{tag}>")
        if tag == "script" and "json" not in a.get("type", "").lower():
            self.active.append("<script>")
        rel = set(a.get("rel", "").lower().split())
        for name, value in a.items():
            if name.startswith("on"):
                self.active.append(f"<{tag} {name}>")
            if _SCRIPT_SCHEME.match(_clean_url(value)) and (name in _URL_ATTRS or name in {"to", "from", "values"}):
                self.active.append(f"<{tag} {name}={value[:40]!r}>")
            if name not in _URL_ATTRS or (tag, name) in _NAVIGATION or name in _ANY_NAVIGATION:
                continue
            if tag == "link" and name == "href" and rel and rel <= _LINK_NAVIGATION:
                continue  # navigation links, not fetched
            urls = _srcset_urls(value) if name in ("srcset", "imagesrcset") else [value]
            bad.extend(u for u in urls if _is_external(u))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.active.append("<meta http-equiv=refresh>")
            m = re.search(r"url\s*=\s*['\"]?([^'\"]*)", a.get("content", ""), re.I)
            if m and _is_external(m.group(1)):
                bad.append(m.group(1))
        if "srcdoc" in a:
            self.active.append(f"<{tag} srcdoc>")
            inner = _Scanner()
            inner.feed_text(a["srcdoc"])
            bad.extend(inner.urls)
            self.active.extend(inner.active)
        bad.extend(u for u in css_urls(a.get("style", "")) if _is_external(u))
        if bad:
            self.urls.extend(bad)
            start = self._offset()
            end = start + len(self.get_starttag_text() or "")
            self.tags.append((start, end, tag, a))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(u for u in css_urls(data) if _is_external(u))


def _scan(html_text: str) -> _Scanner:
    s = _Scanner()
    s.feed_text(html_text)
    return s


def external_requests(html_text: str) -> list[str]:
    """URLs outside the machine that loading the page would request (the one audit of external loads).

    Read as Chromium reads them: entities and CSS escapes decoded, tabs and
    newlines in URLs dropped, a scheme without slashes (``https:evil``)
    and ``//host`` or ``\\\\host`` counted. Every URL attribute of every
    element (HTML and SVG: ``src``, ``srcset``, ``background``, ``poster``,
    ``data``, ``xlink:href``...), ``<link>`` (except navigation links), a
    ``<meta http-equiv=refresh>`` target, a frame's ``srcdoc`` document, and
    CSS ``url()``, ``image-set()`` and ``@import`` in ``<style>`` and ``style``
    attributes. Ordinary links (``<a href>``, ``<form action>``) are followed
    only when a reader clicks them and are not listed; ``data:`` and
    ``file:`` URIs are local. A page's Content-Security-Policy forbids all
    of these anyway; this check is what ``tests/browser`` holds against what
    Chromium actually requests.
    """
    return _scan(html_text).urls


def active_content(html_text: str) -> list[str]:
    """What in the page would run or navigate: scripts (other than inert JSON), event handlers,
    ``javascript:`` URLs, frames, objects, ``<base>``, ``srcdoc`` and ``<meta http-equiv=refresh>``.

    Empty for every page the pack publishes (their Content-Security-Policy forbids script too).
    """
    return _scan(html_text).active


def _strip_external(html_text: str) -> tuple[str, _Scanner]:
    """Remove the tags that fetch external URLs (an image becomes its alt text); and the scan of what is left.

    A safety net for output the package did not make (a deep dive's own HTML): text typed by people
    reaches a page through :mod:`lscb_analysis.render.sanitise`, which lets no such tag through. What
    cannot be removed tag by tag (CSS in a ``<style>`` block) is left for :func:`notebook_to_html` to refuse.
    """
    s = _scan(html_text)
    if not s.tags:
        return html_text, s  # nothing removed: this scan is the page's
    out = html_text
    for start, end, tag, attrs in sorted(s.tags, reverse=True):
        if tag == "script":
            close = out.lower().find("</script>", end)
            end = close + len("</script>") if close != -1 else end
            replacement = ""
        elif tag == "img":
            alt = attrs.get("alt") or "image not included: it is hosted outside this report"
            replacement = f"<span class='lscb-external-image'>[{html.escape(alt, quote=True)}]</span>"
        else:
            replacement = ""
        out = out[:start] + replacement + out[end:]
    return out, _scan(out)
