"""Ids fixed by a notebook's content, where papermill and ipywidgets draw random ones.

Papermill gives the cell it injects the parameters in a random id, and ipywidgets
gives every widget model a random id (kept in the page's widget state). The
runner replaces both in each executed notebook before it is exported
(:func:`stable_ids`), so a page is the same in every build of the same inputs: an
incremental run reuses a report on that ground (:mod:`lscb_analysis.publish.buildrecord`).
Tables' random CSS ids are fixed where tables are drawn
(:func:`lscb_analysis.render.format.with_content_id`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["INJECTED_CELL_ID", "stable_ids"]

#: The id of the cell papermill injects the parameters in (it draws a random one).
INJECTED_CELL_ID = "injected-parameters"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def stable_ids(executed: Path) -> dict:
    """Replace the random ids of an executed notebook by ids fixed by its content; return the notebook.

    Papermill gives the injected parameters cell a random id and ipywidgets a random id to every
    widget model (kept in the page's widget state): with fixed ones the page is the same in every
    build of the same inputs, as an incremental run assumes (:mod:`lscb_analysis.publish.buildrecord`).
    """
    text = executed.read_text(encoding="utf-8")
    nb = json.loads(text)
    fixed = {
        cell["id"]: INJECTED_CELL_ID
        for cell in nb.get("cells", [])
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []) and cell.get("id")
    }
    models = nb.get("metadata", {}).get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    fixed.update({model: f"{i + 1:032x}" for i, model in enumerate(_widget_order(nb, models))})
    if fixed:
        for old, new in fixed.items():
            text = text.replace(old, new)
        nb = json.loads(text)
        # written as nbformat writes a notebook: keys sorted, so the widget state is in the order of its new ids
        executed.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return nb


_MODEL_ID = re.compile(r"[0-9a-f]{32}")


def _widget_order(nb: dict, models: dict) -> list[str]:
    """The widget models of a notebook in an order fixed by its content: from the widgets its outputs show,
    in cell order, through the models each refers to; any left, by their state."""
    shown = json.dumps([c.get("outputs", []) for c in nb.get("cells", [])], sort_keys=True)
    queue, seen = [m for m in _MODEL_ID.findall(shown) if m in models], {}
    while queue:
        m = queue.pop(0)
        if m not in seen:
            seen[m] = None
            queue += [r for r in _MODEL_ID.findall(json.dumps(models[m], sort_keys=True)) if r in models]
    rest = [m for m in models if m not in seen]
    return [*seen, *sorted(rest, key=lambda m: _MODEL_ID.sub("", json.dumps(models[m], sort_keys=True)))]
