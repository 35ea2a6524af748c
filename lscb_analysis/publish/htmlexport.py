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

As a safety net, :func:`notebook_to_html` then removes any remaining tag that
would fetch from ``http(s)://`` or ``//`` (scripts, stylesheets, images,
frames), keeping an image's alt text, and fails if anything external is left.
:func:`external_requests` lists what a page would fetch from outside the
file; the tests run it over every report type.
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
from nbconvert.preprocessors import Preprocessor
from PIL import Image
from traitlets import Integer
from traitlets.config import Config

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError
from lscb_analysis.publish.plan import Page
from lscb_analysis.publish.reportpage import AltTextPreprocessor, add_contents, first_heading
from lscb_analysis.render.pages import NBCONVERT_TEMPLATES

__all__ = [
    "export_html",
    "notebook_to_html",
    "external_requests",
    "WIDGET_NOTE",
    "HIDDEN_TAGS",
    "ExternalRequestError",
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

#: (tag, attribute) pairs whose URL the browser fetches while loading the page.
_FETCHING = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("image", "href"),
    ("use", "href"),
}
_EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)
_CSS_URL = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?\s*((?:https?:)?//[^'")\s;]+)""", re.I)


class ExternalRequestError(LscbError, RuntimeError):
    """The exported HTML would still fetch something from outside the file."""


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
@functools.cache
def _exporter() -> HTMLExporter:
    """The HTML exporter, built once per process (loading its templates takes longer than a conversion)."""
    config = Config({"TagRemovePreprocessor": {"remove_cell_tags": set(HIDDEN_TAGS)}})
    exp = HTMLExporter(
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
    exp.register_preprocessor(WidgetNotePreprocessor(), enabled=True)
    exp.register_preprocessor(RecompressImagesPreprocessor(), enabled=True)
    exp.register_preprocessor(AltTextPreprocessor(), enabled=True)
    return exp


def notebook_to_html(nb: nbformat.NotebookNode, page: Page | None = None) -> str:
    """HTML of a notebook node, with no code and no external requests.

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
        When something external survived (a bug: the message lists it).
    """
    title = page.html_title if page else first_heading(nb) or "Report"
    nb = nbformat.from_dict({**nb, "metadata": {**nb.metadata, "title": title}})  # a shallow copy: the title
    body, _ = _exporter().from_notebook_node(nb, resources={"lscb": page} if page else None)
    body = add_contents(body)
    body, found = _strip_external(body)
    left = external_requests(body) if found else []  # scan again only if something had to be removed
    if left:
        raise ExternalRequestError(f"exported HTML still requests {', '.join(sorted(set(left))[:5])}")
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
class _Scanner(HTMLParser):
    """Collects external URLs, and the spans of tags that fetch them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.tags: list[tuple[int, int, str, dict[str, str | None]]] = []
        self._in_style = False
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
        a = {k.lower(): v for k, v in attrs}
        bad = []
        for t, attr in _FETCHING:
            if t == tag and a.get(attr) and _refs_external(tag, attr, a.get(attr) or ""):
                bad.append(a[attr] or "")
        if (
            tag == "link"
            and bad
            and (a.get("rel") or "").lower() in {"canonical", "alternate", "author", "license", "help"}
        ):
            bad = []  # navigation links, not fetched
        style = a.get("style") or ""
        bad.extend(m.group(1) for m in _CSS_URL.finditer(style))
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
            self.urls.extend(m.group(1) for m in _CSS_URL.finditer(data))


def _refs_external(tag: str, attr: str, value: str) -> bool:
    if attr == "srcset":
        return any(_EXTERNAL.match(part.strip().split(" ")[0]) for part in value.split(","))
    return bool(_EXTERNAL.match(value))


def external_requests(html_text: str) -> list[str]:
    """URLs outside the file that loading the page would request.

    Scripts, stylesheets, images, frames and media with an ``http(s)://`` or
    protocol-relative ``//`` address, and CSS ``url()`` / ``@import`` of one.
    Ordinary links (``<a href>``) are not requests and are not listed;
    ``data:`` URIs are inline.
    """
    s = _Scanner()
    s.feed_text(html_text)
    return s.urls


def _strip_external(html_text: str) -> tuple[str, bool]:
    """Remove tags that fetch external URLs (an image becomes its alt text); and whether there were any."""
    s = _Scanner()
    s.feed_text(html_text)
    if not s.urls:
        return html_text, False
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
    # CSS url() imports inside <style> blocks.
    out = re.sub(r"@import\s+(?:url\()?\s*['\"]?(?:https?:)?//[^;]*;", "", out, flags=re.I)
    out = _CSS_URL.sub(lambda m: m.group(0).replace(m.group(1), "about:blank"), out)
    return out, True
