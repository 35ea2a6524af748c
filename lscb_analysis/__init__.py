"""lscb-workbench: analysis helpers for Local Safeguarding Children Boards.

Modules, in the order data flows through them:

- :mod:`lscb_analysis.parameters.catalogue`: the core data set (indicators, sub-groups, providers) from ``parameters/``.
- :mod:`lscb_analysis.periods`: UK financial-year quarters.
- :mod:`lscb_analysis.demo`: deterministic returns for the fictional demo partnership.
- :mod:`lscb_analysis.ingest` and :mod:`lscb_analysis.store`: returns into the validated tidy store.
- :mod:`lscb_analysis.stats`: published indicator methods (PHEindicatormethods, Fingertips, Making Data Count).
- :mod:`lscb_analysis.benchmark`: DfE published statistics and statistical neighbours.
- :mod:`lscb_analysis.summary.context` and :mod:`lscb_analysis.report`: what the notebooks call.
- :mod:`lscb_analysis.publish.runner`: papermill execution and HTML publication of the board pack.
"""

__version__ = "0.1.0"
