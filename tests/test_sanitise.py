"""The one sanitiser: what a narrative needs survives, nothing else does."""

from __future__ import annotations

import re

import pytest

from lscb_analysis.publish.page_scan import active_content, external_requests
from lscb_analysis.render.sanitise import (
    ALLOWED_TAGS,
    CONTENT_SECURITY_POLICY,
    clean_html,
    csp_meta,
    escape_markdown,
    escape_text,
    markdown_html,
)

NARRATIVE = """## Voice of the child

Children told us that **having food at home** and *someone checking in* helps most.

- first point
- second point with `code`

1. numbered
2. list

> A quotation from a parent.

| Theme | Finding |
| :--- | ---: |
| Voice | Good |

~~withdrawn~~ See the [DfE guidance](https://www.gov.uk/guidance) and the [core report](core_data_set.html#actions).

```
preformatted
```
"""


def test_the_markdown_a_narrative_needs_survives():
    html = markdown_html(NARRATIVE)
    for tag in ("h2", "strong", "em", "ul", "ol", "li", "code", "blockquote", "table", "th", "td", "s", "pre", "a"):
        assert f"<{tag}" in html, tag
    assert '<a href="https://www.gov.uk/guidance" rel="noopener noreferrer">DfE guidance</a>' in html
    assert '<a href="core_data_set.html#actions"' in html, "a relative page of the pack"
    assert '<th style="text-align:left">Theme</th>' in html and '<td style="text-align:right">Good</td>' in html
    assert set(re.findall(r"<([a-z0-9]+)", html)) <= ALLOWED_TAGS


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)></svg>",
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        "<iframe src=javascript:alert(1)></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<base href="https://evil.example/">',
        '<form action="https://evil.example/"><button>go</button></form>',
        '<object data="https://evil.example/x"></object>',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        "<style>@import 'https://evil.example/x.css';</style>",
        '<div style="background:url(https://evil.example/x.png)">x</div>',
        '<table background="https://evil.example/x.png"><tr><td>x</td></tr></table>',
        '<svg><image xlink:href="https://evil.example/x.png"/></svg>',
        '<img src="https:evil.example/x.png">',
        "![x](https://evil.example/x.png)",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<!--><img src=x onerror=alert(1)>-->",
    ],
)
def test_nothing_that_runs_loads_or_navigates_survives(payload):
    html = markdown_html(f"before\n\n{payload}\n\nafter")
    assert active_content(html) == [] and external_requests(html) == [], html
    assert "evil.example" not in html.replace("[x](", "") or "href" not in html, html
    assert "before" in html  # (an unclosed payload may take the rest of its block with it)


def test_javascript_links_stay_text_and_network_paths_are_dropped():
    html = markdown_html("[a](javascript:alert(1)) [b](//evil.example/x) [c](\\\\evil.example\\x) [d](vbscript:x)")
    assert "[a](javascript:alert(1))" in html and "[d](vbscript:x)" in html
    assert "evil.example" not in re.sub(r"<[^>]*>", "", html) or 'href="//' not in html
    assert 'href="//' not in html


def test_an_image_is_shown_as_its_description():
    assert markdown_html("![Chart of referrals](chart.png)") == "<p>[image: Chart of referrals]</p>\n"


def test_inline_markdown_for_a_table_cell_has_no_paragraph():
    assert markdown_html("**Done** <img src=x onerror=alert(1)>", inline=True) == "<strong>Done</strong> "


def test_plain_text_shows_as_typed_in_html_and_in_markdown():
    typed = "Castlemoor <b>& Co</b> [x](javascript:alert(1)) *not emphasis* # not a heading\n- not a list `nor code`"
    assert escape_text(typed) == (
        "Castlemoor &lt;b&gt;&amp; Co&lt;/b&gt; [x](javascript:alert(1)) *not emphasis* # not a heading\n"
        "- not a list `nor code`"
    )
    rendered = markdown_html(f"**{escape_markdown(typed)}**")
    text = " ".join(typed.split())
    assert rendered == f"<p><strong>{escape_text(text)}</strong></p>\n".replace("&#x27;", "'")


def test_clean_html_keeps_only_the_allow_list():
    assert clean_html('<p onclick="x()">a <u>b</u> <span style="color:red">c</span></p>') == "<p>a b c</p>"


def test_the_content_security_policy_forbids_script_requests_forms_frames_and_base():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    assert directives["form-action"] == "'none'" and directives["base-uri"] == "'none'"
    assert "script-src" not in directives and "connect-src" not in directives and "frame-src" not in directives
    assert csp_meta() == f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
