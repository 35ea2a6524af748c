"""A project for a real partnership: ``lscb init`` and the core data set presets it writes.

:func:`~lscb_analysis.project.init.init_project` writes a ready project folder
(parameters, the child population, the DfE statistics, the notebooks, empty
returns folders); the presets live in ``lscb_analysis/project/presets/`` as
package data (:mod:`lscb_analysis.project.presets`).
"""

from lscb_analysis.project.init import InitError, InitResult, init_project
from lscb_analysis.project.presets import PRESETS, preset_files

__all__ = ["PRESETS", "InitError", "InitResult", "init_project", "preset_files"]
