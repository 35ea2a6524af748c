"""A narrative edited, the report's figures unchanged: render the narrative again without executing the notebook.

Before the board meets, the sub-groups' narratives change far more often than the figures. A report whose
only changed inputs are narratives (:mod:`lscb_analysis.publish.buildrecord`) is refreshed: every
narrative output of its executed notebook carries the arguments it was rendered with
(:data:`~lscb_analysis.render.narrative.NARRATIVE_MIME`, written by
:func:`~lscb_analysis.render.narrative.narrative_output`), and is rendered again from the narrative as it
is now by that same function; the charts and tables are kept, and the page is exported again. The page is
byte-identical to a fresh build of the same inputs (tests/test_incremental.py).

This holds only where a notebook's narrative reaches the page through those outputs, so a report is
refreshed only when both are true (decided by :func:`lscb_analysis.publish.buildrecord.plan_builds`):

- its notebook's code mentions narratives only in statements that call ``report.narrative(...)`` and use
  nothing it returns (:func:`~lscb_analysis.publish.buildrecord.narrative_only`); a fork that reads a
  narrative any other way is executed;
- the commentary on indicators (*Data commentary* under a level-3 heading naming an indicator), which
  :func:`lscb_analysis.report.indicator_sections` shows inside each indicator's unit, is unchanged: it is
  an input of its own (:func:`~lscb_analysis.parameters.narratives.commentary_on_indicators`), and when it
  changes the report is executed.
"""

from __future__ import annotations

import json
from pathlib import Path

from lscb_analysis.parameters.catalogue import Catalogue
from lscb_analysis.render.narrative import NARRATIVE_MIME, narrative_output

__all__ = ["refresh_narratives"]


def refresh_narratives(executed: Path, catalogue: Catalogue, root: Path) -> dict:
    """Render every narrative output of an executed notebook again, from the narratives as they are now.

    The notebook is rewritten in place as :func:`lscb_analysis.publish.stable_ids.stable_ids` writes one;
    everything else in it is kept as executed.

    Returns
    -------
    dict
        The notebook as written.

    Raises
    ------
    lscb_analysis.parameters.narratives.NarrativeError
        A narrative cannot be read (the report is then executed, and says so where the narrative goes).
    ValueError
        The notebook cannot be read, or an output's record is not one :func:`narrative_output` wrote.
    """
    nb = json.loads(executed.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = output.get("data", {}).get(NARRATIVE_MIME)
            if record is None:
                continue
            try:
                bundle, _ = narrative_output(catalogue=catalogue, root=root, **record)
            except TypeError as exc:
                raise ValueError(
                    f"{executed.name}: a narrative output's record is not one narrative_output wrote: {exc}"
                ) from None
            # as nbformat writes a notebook: text in a list of lines
            output["data"] = {k: v.splitlines(True) if k.startswith("text/") else v for k, v in bundle.items()}
    executed.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return nb
