"""The board pack's front page: ``reports/<quarter>/index.html``.

A self-contained page (no scripts, no external requests) listing every report
of the quarter, grouped by section, saying which failed and why, and which
sub-groups have not written their narrative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from jinja2 import Environment, select_autoescape

from lscb_analysis.periods import Quarter

if TYPE_CHECKING:
    from lscb_analysis.publish.runner import ReportResult

__all__ = ["render_index"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ partnership }}: board pack {{ quarter.code }}</title>
<style>
 body { font-family: Arial, Helvetica, sans-serif; color: #231f20; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
 h1 { font-size: 1.6rem; margin-bottom: .2rem; }
 .sub { color: #4c4c4c; margin-top: 0; }
 h2 { font-size: 1.2rem; border-bottom: 2px solid #0072b2; padding-bottom: .2rem; margin-top: 2rem; }
 table { border-collapse: collapse; width: 100%; }
 th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #d9d9d9; vertical-align: top; }
 th { background: #f2f2f2; }
 .ok { color: #1b7837; font-weight: bold; white-space: nowrap; }
 .failed { color: #b2182b; font-weight: bold; white-space: nowrap; }
 .note { color: #7a4b00; }
 .summary { padding: .8rem 1rem; border-left: 6px solid {{ '#b2182b' if failed else '#1b7837' }}; background: #f7f7f7; }
 code { background: #f2f2f2; padding: 0 .2rem; }
 @media print { a { color: inherit; text-decoration: none; } }
</style>
</head>
<body>
<header>
<h1>{{ partnership }}: quarterly board pack</h1>
<p class="sub">{{ quarter.label }}. Generated {{ generated.strftime('%d %B %Y %H:%M') }}.{% if fictional %} <strong>Demonstration data for a fictional partnership.</strong>{% endif %}</p>
</header>
<main>
<p class="summary">{{ results|length }} reports: {{ results|length - failed }} produced{% if failed %}, <strong>{{ failed }} failed</strong> (see below){% endif %}.</p>
{% for section, items in sections %}
<h2>{{ section }}</h2>
<table>
<thead><tr><th scope="col">Report</th><th scope="col">Status</th><th scope="col">Notes</th></tr></thead>
<tbody>
{% for r in items %}
<tr>
<td>{% if r.html %}<a href="{{ r.html }}">{{ r.title }}</a>{% else %}{{ r.title }}{% endif %}</td>
<td>{% if r.ok %}<span class="ok">&#10003; Produced</span>{% else %}<span class="failed">&#10007; Failed</span>{% endif %}</td>
<td>{% if not r.ok %}<span class="failed">{% if r.cell %}Cell {{ r.cell }}: {% endif %}{{ r.error }}</span>{% endif %}
{% for n in r.notes %}<div class="note">&#9888; {{ n }}</div>{% endfor %}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% endfor %}
{% if links %}
<h2>Data quality</h2>
<ul>{% for title, href in links %}<li><a href="{{ href }}">{{ title }}</a></li>{% endfor %}</ul>
{% endif %}
</main>
<footer><p class="sub">Figures are subject to disclosure control: counts from {{ dmin }} to {{ dmax }} are shown as "{{ dsym }}". Produced with lscb-workbench.</p></footer>
</body>
</html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_index(
    results: Sequence[ReportResult],
    quarter: Quarter,
    *,
    generated: dt.datetime,
    root=None,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """Render the index page for a quarter's results."""
    from lscb_analysis.parameters.partnership import load_partnership

    partnership = load_partnership(root)
    sections: dict[str, list[ReportResult]] = {}
    for r in results:
        sections.setdefault(r.section, []).append(r)
    return _env.from_string(_TEMPLATE).render(
        partnership=partnership.name,
        fictional=partnership.fictional,
        quarter=quarter,
        generated=generated,
        results=results,
        failed=sum(not r.ok for r in results),
        sections=list(sections.items()),
        dmin=partnership.disclosure.min_count,
        dmax=partnership.disclosure.max_count,
        dsym=partnership.disclosure.symbol,
        links=list(links),
    )
