"""Publish an executed notebook as self-contained HTML: no code, no external requests.

nbconvert's default HTML template loads require.js, MathJax and mermaid from
public CDNs, and renders ipywidgets with ``@jupyter-widgets/html-manager``
from unpkg. On a council network that blocks those hosts (or offline) the
widget area is simply blank. No pip package installed here ships the
html-manager embed bundle (``widgetsnbextension`` only has the classic
notebook extension, which needs a running notebook; JupyterLab's
labextension needs JupyterLab), and inlining a renderer would cost 1-2 MB per
report against a 1.5 MB budget. So :func:`export_html`:

* uses the lab template with every input and prompt hidden;
* drops the CDN ``<script>`` blocks (require.js, MathJax, mermaid, the
  widget renderer loader) from the template;
* leaves out cells tagged ``analyst-note`` (or ``remove-cell``): notes for
  whoever edits the notebook, not for board members;
* replaces each live widget output (``application/vnd.jupyter.widget-view+json``,
  which cannot render offline) with a short note saying that the interactive
  controls are available in JupyterLab; the notebook's static output (e.g.
  :meth:`lscb_analysis.explore.Explorer.snapshot`) stays, so the reader
  always sees the last view;
* keeps the widgets' last state embedded as inert JSON
  (``application/vnd.jupyter.widget-state+json``), which requests nothing;
* as a safety net, removes any remaining tag that would fetch from
  ``http(s)://`` or ``//`` (scripts, stylesheets, images, frames), keeping an
  image's alt text, and fails if anything external is left.

:func:`external_requests` lists what a page would fetch from outside the
file; the tests run it over every report type.
"""

from __future__ import annotations

import copy
import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from lscb_analysis.atomic import atomic_write_text
from lscb_analysis.errors import LscbError

__all__ = ["export_html", "notebook_to_html", "external_requests", "WIDGET_NOTE", "HIDDEN_TAGS", "ExternalRequestError"]

#: Shown where a live widget was, in the published HTML.
WIDGET_NOTE = "Interactive controls are available when this notebook is opened in JupyterLab."

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: Cells with one of these tags are left out of the published HTML.
HIDDEN_TAGS = frozenset({"analyst-note", "remove-cell", "remove_cell"})

_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{#- lscb: no CDN scripts. The page must read the same offline. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; padding: 0 1rem 2rem; }
.lscb-widget-note { border-left: 4px solid #0072B2; background: #f3f8fc; padding: .5rem .8rem; margin: .5rem 0; }
table.lscb-table { border-collapse: collapse; }
table.lscb-table th, table.lscb-table td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
@media print {
  main { max-width: none; padding: 0; }
  .jp-OutputArea-output img { max-width: 100% !important; page-break-inside: avoid; }
  .jp-Cell { page-break-inside: avoid; }
  .lscb-widget-note { display: none; }
}
</style>
{%- endblock extra_css -%}
"""

_TEMPLATE_NAME = "lscb_offline.html.j2"

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


# ------------------------------------------------------------ notebook prep
def _note_output() -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "data": {"text/html": f"<p class='lscb-widget-note'>{WIDGET_NOTE}</p>", "text/plain": WIDGET_NOTE},
        "metadata": {},
    }


def _strip_widget_views(nb: Any) -> int:
    """Replace every live widget output with :data:`WIDGET_NOTE`; returns how many were replaced."""
    import nbformat

    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        noted = False
        for out in cell.get("outputs", []):
            if WIDGET_VIEW in out.get("data", {}):
                n += 1
                if not noted:
                    outs.append(nbformat.from_dict(_note_output()))
                    noted = True
                continue
            outs.append(out)
        cell.outputs = outs
    return n


def _compress_images(nb: Any, colours: int = 256) -> int:
    """Re-encode chart PNGs with an adaptive palette; returns the bytes saved.

    Matplotlib writes 32-bit RGBA PNGs; charts use a handful of colours plus
    anti-aliasing, which an adaptive 256-colour palette keeps visually
    identical at about a third of the size. This is what keeps a sub-group
    report with every SPC chart under the 1.5 MB budget.
    """
    import base64
    import io

    from PIL import Image

    saved = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            png = data.get("image/png")
            if not png:
                continue
            raw = base64.b64decode(png)
            try:
                with Image.open(io.BytesIO(raw)) as im:
                    small = im.convert("RGB").quantize(
                        colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
                    )
                    buf = io.BytesIO()
                    small.save(buf, format="PNG")
            except (OSError, ValueError):  # not a PNG Pillow can read: publish it as it is
                continue
            if buf.tell() < len(raw):
                saved += len(raw) - buf.tell()
                data["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    return saved


# ----------------------------------------------------------------- export
@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """The HTML exporter, built once per process (loading its templates takes longer than a conversion)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # Belt and braces: even if a block above is bypassed, nothing points at a CDN.
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
        jquery_url="",
        jupyter_widgets_base_url="",
        widget_renderer_url="",
    )


def notebook_to_html(nb: Any) -> str:
    """HTML of a notebook node, with no code and no external requests.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (not modified).

    Raises
    ------
    ExternalRequestError
        When something external survived (a bug: the message lists it).
    """
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    _strip_widget_views(nb)
    _compress_images(nb)
    body, _ = _exporter().from_notebook_node(nb)
    body, found = _strip_external(body)
    left = external_requests(body) if found else []  # scan again only if something had to be removed
    if left:
        raise ExternalRequestError(f"exported HTML still requests {', '.join(sorted(set(left))[:5])}")
    return body


def export_html(ipynb_path: str | Path, html_path: str | Path) -> Path:
    """Convert an executed notebook to offline, code-free HTML (written atomically).

    Parameters
    ----------
    ipynb_path : path
        The executed notebook.
    html_path : path
        Where to write the HTML.

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat

    nb = nbformat.read(str(ipynb_path), as_version=4)
    return atomic_write_text(Path(html_path), notebook_to_html(nb))


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
            replacement = f"<span class='lscb-external-image'>[{_escape(alt)}]</span>"
        else:
            replacement = ""
        out = out[:start] + replacement + out[end:]
    # CSS url() imports inside <style> blocks.
    out = re.sub(r"@import\s+(?:url\()?\s*['\"]?(?:https?:)?//[^;]*;", "", out, flags=re.I)
    out = _CSS_URL.sub(lambda m: m.group(0).replace(m.group(1), "about:blank"), out)
    return out, True


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
