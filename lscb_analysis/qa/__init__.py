"""Quality assurance as data: multi-agency case-file audits and surveys, read, validated and stored.

A quarter's quality-assurance files live beside its returns, in
``data/raw/quality/<partnership>/<yyyy-yy-Qn>/`` (``audits.xlsx`` or ``.csv``, ``surveys.xlsx``
or ``.csv``; their columns in :mod:`lscb_analysis.qa.files`). ``lscb ingest``
reads them with the returns reader (the same file-level checks and ``R0xx``
codes: size, type, hidden sheets, merged cells, formulas), validates their
content against ``parameters/quality.yaml`` (:mod:`lscb_analysis.parameters.quality`;
rules ``Q0xx`` in :mod:`lscb_analysis.qa.rules`) and commits the accepted files
to the store's ``qa_audits`` and ``qa_surveys`` tables in the same generation as
the returns. A file with an error is refused whole: nothing from it is stored and
the quarter's previous version stays current. Every accepted version is kept.

Published figures are aggregates only (:mod:`lscb_analysis.summary.qa`):
no case-level line, no free text (a survey's free-text answers arrive only as
counts of the themes an analyst coded them into, the ``coded_themes`` column).
"""
