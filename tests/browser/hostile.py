"""The corpus of hostile content planted by tests/browser/test_hostile_content.py.

Every payload that could run calls out with :data:`MARK` (a dialog or a
console line), every payload that could load or navigate points at
``evil.example`` (a reserved name: it never resolves, and the tests route and
abort every request anyway), and the personal data is made up (the NHS number
has a valid check digit so that it looks real).
"""

from __future__ import annotations

#: What a payload that runs says (alert, console.log).
MARK = "LSCB-PWNED"

#: Markup that would run script or navigate if it reached a page as HTML.
SCRIPT = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=\"console.log('{MARK}')\">",
    f"<svg onload=\"alert('{MARK}')\"></svg>",
    f"<iframe srcdoc=\"<script>parent.console.log('{MARK}')</script>\"></iframe>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"[click me](javascript:alert('{MARK}'))",
    f"<a href=\"javascript:alert('{MARK}')\">click</a>",
    f"<a href=\"jav&#x09;ascript:alert('{MARK}')\">click</a>",
    f"<details open ontoggle=\"console.log('{MARK}')\"><summary>s</summary></details>",
    f"<object data=\"data:text/html,<script>alert('{MARK}')</script>\"></object>",
    f"<embed src=\"javascript:alert('{MARK}')\">",
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"alert('{MARK}')\">"
    "</style></mglyph></table></mtext></math>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">',
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/form"><button>go</button></form>',
]

#: Markup that would make the page fetch from outside the machine: each trick that once beat the filter.
EXTERNAL = [
    '<img src="https:evil.example/no-slashes.png" alt="a">',
    '<img src="//evil.example/protocol-relative.png" alt="b">',
    '<img src="ht\ttps://evil.example/tab-in-scheme.png" alt="c">',
    '<img src="&#104;ttps://evil.example/entity.png" alt="d">',
    '<svg><image xlink:href="https://evil.example/svg-xlink.png" width="5" height="5"/></svg>',
    '<svg><image href="https://evil.example/svg-href.png" width="5" height="5"/></svg>',
    '<table background="https://evil.example/table-background.png"><tr><td>cell</td></tr></table>',
    "<div style=\"background-image:image-set('https://evil.example/image-set.png' 1x)\">x</div>",
    '<div style="background:\\75 rl(https://evil.example/css-escape.png)">x</div>',
    '<div style="background:url(&#104;ttps://evil.example/css-entity.png)">x</div>',
    "<div style=\"background:URL(  'https://evil.example/css-upper.png'  )\">x</div>",
    '<img srcset="data:image/gif;base64,R0lGODlhAQABAAAAACw= 1x, https://evil.example/srcset.png 2x" alt="e">',
    '<video poster="https://evil.example/video-poster.png"></video>',
    '<link rel="stylesheet" href="https://evil.example/link.css">',
    "<style>@import 'https://evil.example/import.css';</style>",
    "<style>p{background:url(https://evil.example/style-block.png)}</style>",
    '<input type="image" src="https://evil.example/input-image.png" alt="f">',
    '<iframe src="https://evil.example/iframe.html"></iframe>',
    '<object data="https://evil.example/object"></object>',
    '<embed src="https://evil.example/embed">',
    '<picture><source srcset="https://evil.example/picture.png"><img alt="g"></picture>',
    "![logo](https://evil.example/markdown-image.png)",
]

#: Leading characters that a spreadsheet would read as a formula (OWASP CSV injection).
FORMULAS = ['=HYPERLINK("https://evil.example/f","x")', "+SUM(1,2)", "-2+3", "@SUM(1)"]

#: Made-up personal data, each piece as it would be typed; none may appear on any page.
PERSONAL = {
    "name": "Jayden Smith, aged 7",
    "date of birth": "date of birth 12/03/2019",
    "NHS number": "NHS number 943 476 5919",
    "postcode": "LS1 4AB",
}
#: What must not appear in any page's text.
PERSONAL_NEEDLES = ["Jayden", "12/03/2019", "943 476 5919", "9434765919", "LS1 4AB"]


def one_line() -> str:
    """Every script and external-load payload, and the formula prefixes, on one line (a name, a title)."""
    return " ".join([*SCRIPT, *EXTERNAL, *FORMULAS])


def markdown() -> str:
    """Every payload as a narrative would hold it: one paragraph each, between ordinary text."""
    parts = ["Ordinary narrative text before the payloads, with **emphasis** and a [link](https://www.gov.uk)."]
    parts += [*SCRIPT, *EXTERNAL, *FORMULAS]
    parts.append("| Theme | Finding |\n| --- | --- |\n| Voice | <img src=x onerror=\"alert('" + MARK + "')\"> |")
    return "\n\n".join(parts)


def personal_narrative() -> str:
    """A narrative with a child's details: its report must be held back."""
    return (
        "## Voice of the child\n\n"
        f"We spoke to {PERSONAL['name']}, {PERSONAL['date of birth']}, {PERSONAL['NHS number']}, "
        f"who lives at {PERSONAL['postcode']}.\n\n"
        "## Audit findings\n\nThree children were seen by the same worker.\n"
    )
