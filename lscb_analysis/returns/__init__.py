"""Agency returns: their shape, the validation rules, reading, validating and templates.

Modules
-------
:mod:`~lscb_analysis.returns.format`
    The columns of a return, the ``Return`` sheet, the ``total`` row.
:mod:`~lscb_analysis.returns.rules`
    The rule table (stable codes such as ``R021-negative``).
:mod:`~lscb_analysis.returns.reader`
    Read a CSV or Excel return into text cells with provenance (file, sheet, row, column).
:mod:`~lscb_analysis.returns.validate`
    Every check against the catalogue, vectorised; outliers against history.
:mod:`~lscb_analysis.returns.templates`
    ``lscb templates``: one Excel return per provider per quarter.

:mod:`lscb_analysis.ingest` ties them together and writes the store
(:mod:`lscb_analysis.store`); :mod:`lscb_analysis.quality` says who returned on time.
"""
