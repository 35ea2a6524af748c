"""The one sanitiser: every piece of text typed by a person reaches a published page through here.

Narratives, actions, annotations, the partnership's name, a fork's name,
indicator titles and definitions, provider names: whoever typed them, they
are untrusted. Three ways in, one allow-list:

* :func:`escape_text` for plain text placed in HTML (shown exactly as typed);
* :func:`escape_markdown` for plain text placed in Markdown that this package
  builds (shown exactly as typed: no emphasis, link, heading or HTML comes of it);
* :func:`markdown_html` for text that *is* Markdown (narratives, action text,
  annotations, notebook Markdown cells): rendered with markdown-it-py
  (CommonMark, plus tables and strikethrough), then cleaned by
  :func:`clean_html`, which is `nh3 <https://nh3.readthedocs.io>`_ (the Python
  binding of the Rust sanitiser ammonia) with :data:`ALLOWED_TAGS`: headings,
  paragraphs, lists, emphasis, block quotes, code, tables and links to
  ``https:`` or a relative page. Anything else (script, event handlers,
  frames, forms, ``<meta http-equiv=refresh>``, images, styles, ``javascript:``
  links) does not survive.

The published pages also carry :data:`CONTENT_SECURITY_POLICY`
(:func:`csp_meta`, the first child of every page's ``<head>``), which forbids
every script and every request off the page, in case anything ever gets past
the sanitiser: the pages need no script at all (the explorer's widget state is
inert JSON, which is not executed).
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from markdown_it import MarkdownIt

__all__ = [
    "ALLOWED_TAGS",
    "ALLOWED_ATTRIBUTES",
    "CONTENT_SECURITY_POLICY",
    "clean_html",
    "csp_meta",
    "escape_markdown",
    "escape_text",
    "markdown_html",
]

#: What a narrative needs, and nothing else.
ALLOWED_TAGS: frozenset[str] = frozenset(
    "h1 h2 h3 h4 h5 h6 p br hr strong em b i s del code pre blockquote ul ol li table thead tbody tr th td a".split()
)
#: Attributes kept on the allowed tags (a table cell's ``style`` keeps only ``text-align``).
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
#: Links may point at these schemes, or at a relative page of the pack.
URL_SCHEMES: frozenset[str] = frozenset({"https"})
#: Removed with everything inside them (the others are unwrapped: their text stays).
_DROP_WITH_CONTENT = frozenset(
    "script style template iframe frame frameset object embed applet noscript noembed noframes "
    "textarea title xmp plaintext svg math select head meta link base".split()
)
#: A reference that leaves the page's folder: ``//host``, ``\\host`` and their mixtures.
_NETWORK_PATH = re.compile(r"^[\s\x00-\x1f]*[/\\]{2}")

#: The policy of every published page: no script, no request off the page, no form, no frame, no <base>.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"
)
#: Characters that start inline Markdown (CommonMark, with tables and strikethrough).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&!~|])")
#: A block marker at the start of a line: heading, list, setext underline, block quote, ordered list.
_MD_BLOCK_START = re.compile(r"^(\d*)([#+\-=>]|(?<=\d)[.)])")


def escape_text(value: object) -> str:
    """Plain text for an HTML page: HTML-escaped, so it shows exactly as typed.

    Examples
    --------
    >>> escape_text("<b>Castlemoor</b> & co")
    '&lt;b&gt;Castlemoor&lt;/b&gt; &amp; co'
    """
    return html.escape(str(value), quote=True)


def escape_markdown(value: object) -> str:
    """Plain text for Markdown that :func:`markdown_html` renders: shows exactly as typed, on one line.

    Every character that starts inline markup (emphasis, code, links, images,
    raw HTML, entities, strikethrough, table cells) is backslash-escaped, and
    so is a block marker at the start (``#``, ``-``, ``+``, ``=``, ``>``,
    ``1.``); runs of white space (line breaks too) become one space, so it
    cannot start a block of its own. Other punctuation stays as typed.

    Examples
    --------
    >>> escape_markdown("[x](javascript:alert(1)) *Castlemoor* sub-group & co")
    '\\\\[x\\\\](javascript:alert(1)) \\\\*Castlemoor\\\\* sub-group \\\\& co'
    >>> escape_markdown("1. not a list")
    '1\\\\. not a list'
    """
    text = _MD_INLINE.sub(r"\\\1", " ".join(str(value).split()))
    m = _MD_BLOCK_START.match(text)
    return f"{m.group(1)}\\{m.group(2)}{text[m.end() :]}" if m else text


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # An image is shown as its description: a narrative cannot make the page load anything.
    md.add_render_rule("image", _image_as_text)
    return md


def _image_as_text(self: object, tokens: list, idx: int, options: object, env: object) -> str:
    alt = "".join(t.content for t in (tokens[idx].children or []))
    return f"[image: {html.escape(alt)}]" if alt else "[image]"


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "href" and _NETWORK_PATH.match(value):
        return None  # //host is another server, whatever the page's scheme
    if attr == "style":
        # markdown-it aligns table columns with style="text-align:..."; nothing else is kept.
        m = re.fullmatch(r"\s*text-align\s*:\s*(left|right|center)\s*;?\s*", value)
        return f"text-align:{m.group(1)}" if m else None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def clean_html(fragment: str) -> str:
    """An HTML fragment with only :data:`ALLOWED_TAGS` and :data:`ALLOWED_ATTRIBUTES` left.

    Disallowed tags are unwrapped (their text stays), except script, style,
    frames, objects, SVG, MathML and document-level tags, which go with their
    content. Links keep only ``https:`` and relative addresses (not ``//host``).
    """
    return _cleaner().clean(fragment)


def markdown_html(text: str, *, inline: bool = False) -> str:
    """Markdown typed by a person, as sanitised HTML for a published page.

    Parameters
    ----------
    text : str
        CommonMark with tables and strikethrough. Raw HTML in it is cleaned
        like everything else (:func:`clean_html`); images are shown as their
        description.
    inline : bool
        Render one paragraph's worth without the ``<p>`` (a table cell).

    Examples
    --------
    >>> markdown_html("**Done** [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    '<p><strong>Done</strong> [x](javascript:alert(1)) </p>\\n'
    """
    md = _markdown()
    return clean_html(md.renderInline(text) if inline else md.render(text))


def csp_meta() -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` tag of :data:`CONTENT_SECURITY_POLICY`."""
    return f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
