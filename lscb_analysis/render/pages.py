"""The board pack's own pages (front page, data-quality page), rendered from Jinja templates in the package.

Templates are files under ``lscb_analysis/render/templates/`` (shipped as
package data); every value is HTML-escaped unless a template marks it safe.
Every template has the pack's Content-Security-Policy
(:data:`lscb_analysis.render.sanitise.CONTENT_SECURITY_POLICY`, the global ``csp``)
as the first child of its ``<head>``.
The template nbconvert uses for the reports lives in
:data:`NBCONVERT_TEMPLATES`, apart, so that no page template can shadow one
of nbconvert's own.
"""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from lscb_analysis.render.sanitise import CONTENT_SECURITY_POLICY

__all__ = ["TEMPLATES", "NBCONVERT_TEMPLATES", "render_page"]

#: The folder of page templates.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The folder of the nbconvert template that publishes a report notebook (see :mod:`lscb_analysis.publish.htmlexport`).
NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    return env


def render_page(template: str, **context: object) -> str:
    """Render the page template ``template`` (a file name under :data:`TEMPLATES`) with ``context``.

    A name the template uses but ``context`` lacks is an error
    (:class:`jinja2.UndefinedError`), not an empty string.
    """
    return _environment().get_template(template).render(**context)
