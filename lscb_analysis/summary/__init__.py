"""What a quarter's reports share: context, per-indicator judgements, per-quarter tables and their caches.

- :mod:`~lscb_analysis.summary.context`: the quarter, catalogue, partnership and figures (:func:`load_context`).
- :mod:`~lscb_analysis.summary.indicator`: every judgement about one indicator's series.
- :mod:`~lscb_analysis.summary.quarter`: the quarter's summary, one row per indicator (cached).
- :mod:`~lscb_analysis.summary.benchmarks`: DfE benchmarks of the benchmark authority (cached).
- :mod:`~lscb_analysis.summary.scorecard`, :mod:`~lscb_analysis.summary.breakdowns`,
  :mod:`~lscb_analysis.summary.returns`, :mod:`~lscb_analysis.summary.exception_report`: what each
  report section may publish, after disclosure control, as numbers, symbols and judgement keys.

Nothing here draws or writes HTML: that is :mod:`lscb_analysis.render`.
"""
