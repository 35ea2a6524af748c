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
the page if anything external or active (script, event handlers, ``javascript:``
URLs, frames, ``<meta http-equiv=refresh>``) is left: the one scan of a page is
:mod:`lscb_analysis.publish.page_scan`, which the tests hold against what
Chromium actually requests, over a corpus of tricks.
"""

from __future__ import annotations

import base64
import functools
import io
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
from lscb_analysis.publish.page_scan import strip_external
from lscb_analysis.publish.plan import Page
from lscb_analysis.publish.reportpage import AltTextPreprocessor, finish_page, first_heading
from lscb_analysis.render.pages import NBCONVERT_TEMPLATES
from lscb_analysis.render.sanitise import csp_meta, escape_text, markdown_html

__all__ = [
    "export_html",
    "notebook_to_html",
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
    body, s = strip_external(finish_page(body))
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
