"""What a published page would load from outside the machine, or run: the one scan of a page's HTML.

:func:`external_requests` lists the URLs outside the machine that loading a page
would request, read as Chromium reads them; :func:`active_content` what in it
would run or navigate; :func:`strip_external` removes the tags that fetch from
outside (a safety net for output the package did not make) and returns the scan
of what is left, which :func:`lscb_analysis.publish.htmlexport.notebook_to_html`
refuses to publish if anything external or active remains. The tests hold
:func:`external_requests` against what Chromium actually requests, over a corpus of tricks.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["active_content", "css_urls", "external_requests", "strip_external"]

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


def strip_external(html_text: str) -> tuple[str, _Scanner]:
    """Remove the tags that fetch external URLs (an image becomes its alt text); and the scan of what is left.

    A safety net for output the package did not make (a deep dive's own HTML): text typed by people
    reaches a page through :mod:`lscb_analysis.render.sanitise`, which lets no such tag through. What
    cannot be removed tag by tag (CSS in a ``<style>`` block) is left for
    :func:`~lscb_analysis.publish.htmlexport.notebook_to_html` to refuse.
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
