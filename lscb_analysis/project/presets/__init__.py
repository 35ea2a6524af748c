"""The core data sets ``lscb init`` can start a project with (``--preset``).

``current`` (the default)
    Today's core data set: DfE's Children's Social Care National Framework
    (2023) dashboard and the measures DfE publishes for every authority (as
    LAIT lists them), plus what partnerships track that no national set has;
    sub-groups as Working Together 2023 arranges a partnership. Its files are
    package data in ``lscb_analysis/project/presets/current/``.
``nelc``
    North East Lincolnshire's core data set (its LSCB's "Core Data Set and
    Reporting Arrangements", 2017): the sub groups and quarterly reports it
    names, the measures of each group's remit, the LSCB era's operational
    board; package data in ``lscb_analysis/project/presets/nelc/``.
``nyscb``
    North Yorkshire's integrated data set, the catalogue of the demo project:
    the files are read from the workbench checkout's ``parameters/`` (their one
    home), with the demo's fictional localities replaced by one, "Whole area".

Each preset is the four catalogue files of ``parameters/``:
:data:`PRESET_FILES`.
"""

from __future__ import annotations

import re
from pathlib import Path

from lscb_analysis.errors import LscbError

__all__ = ["DEFAULT_PRESET", "PACKAGED", "PRESETS", "PRESET_FILES", "WHOLE_AREA", "UnknownPresetError", "preset_files"]

#: The files a preset gives, written to the new project's ``parameters/``.
PRESET_FILES: tuple[str, ...] = ("indicators.yaml", "subgroups.yaml", "providers.yaml", "benchmark_measures.yaml")
#: Preset name -> what it is.
PRESETS: dict[str, str] = {
    "current": "today's core data set (National Framework 2023, DfE and LAIT measures, Working Together 2023)",
    "nelc": "North East Lincolnshire's core data set (LSCB core data set and reporting arrangements, 2017)",
    "nyscb": "North Yorkshire's integrated data set (the demo project's catalogue)",
}
DEFAULT_PRESET = "current"
#: Presets that are package data (``lscb_analysis/project/presets/<name>/``), already with one locality.
PACKAGED: tuple[str, ...] = ("current", "nelc")
#: The one locality of a new project, until the partnership lists its own.
WHOLE_AREA = "Whole area"

_HERE = Path(__file__).resolve().parent
# The `locality:` breakdown's values line in indicators.yaml.
_LOCALITY_VALUES = re.compile(r"(^  locality:\n(?:    .*\n)*?    values: ).*$", re.MULTILINE)


class UnknownPresetError(LscbError):
    """``--preset`` names no preset (invalid arguments)."""

    exit_code = 2


def preset_files(name: str, checkout: Path) -> dict[str, str]:
    """The text of each of :data:`PRESET_FILES` for the preset ``name``.

    Parameters
    ----------
    name
        A key of :data:`PRESETS`.
    checkout
        The workbench checkout (whose ``parameters/`` is the ``nyscb`` preset; the
        others are package data, :data:`PACKAGED`).

    Raises
    ------
    UnknownPresetError
        When ``name`` is not a preset.
    """
    if name not in PRESETS:
        raise UnknownPresetError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    folder = _HERE / name if name in PACKAGED else checkout / "parameters"
    texts = {f: (folder / f).read_text(encoding="utf-8") for f in PRESET_FILES}
    if name not in PACKAGED:
        texts["indicators.yaml"], n = _LOCALITY_VALUES.subn(rf"\g<1>[{WHOLE_AREA}]", texts["indicators.yaml"])
        if n != 1:
            raise UnknownPresetError(f"preset {name!r}: {folder / 'indicators.yaml'} has no locality breakdown")
    return texts
