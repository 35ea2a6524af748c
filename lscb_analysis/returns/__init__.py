"""Agency returns: their shape, the validation rules, reading, validating and templates.

Modules
-------
:mod:`~lscb_analysis.returns.format`
    The columns of a return, the ``Return`` sheet, the rows a provider owes.
:mod:`~lscb_analysis.returns.folders`
    Where returns live: the quarter folders and the files ingest reads.
:mod:`~lscb_analysis.returns.rules`
    The rule table (stable codes such as ``R021-negative``).
:mod:`~lscb_analysis.returns.returnfile`, :mod:`~lscb_analysis.returns.reader`, :mod:`~lscb_analysis.returns.excel`
    Read a CSV or Excel return into text cells with provenance (file, sheet, row, column).
:mod:`~lscb_analysis.returns.validate`
    Every check against the catalogue, vectorised (with :mod:`~lscb_analysis.returns.checks`,
    :mod:`~lscb_analysis.returns.counts` and :mod:`~lscb_analysis.returns.combined`).
:mod:`~lscb_analysis.returns.outliers`
    Totals far outside their indicator's history.
:mod:`~lscb_analysis.returns.templates`
    ``lscb templates``: one Excel return per provider per quarter.

:mod:`lscb_analysis.ingest` ties them together and writes the store
(:mod:`lscb_analysis.store`); :mod:`lscb_analysis.quality` says who returned on time.
"""
