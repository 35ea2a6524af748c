"""How reports look: number formats, one theme, tables, charts and page CSS.

- :mod:`~lscb_analysis.render.format`: the one number rule, unit labels, GSS symbols in tables.
- :mod:`~lscb_analysis.render.theme`: colours, markers, judgement symbols and words, ``css/report.css``.
- :mod:`~lscb_analysis.render.scorecard`, :mod:`~lscb_analysis.render.breakdowns`: great_tables tables.
- :mod:`~lscb_analysis.render.sections`: the smaller sections' sentences and plain tables.
- :mod:`~lscb_analysis.render.views`: the explorer's views.
- :mod:`lscb_analysis.render.plots`: matplotlib charts in the one style.

Everything is drawn from what :mod:`lscb_analysis.summary` computed; every piece of text is escaped.
"""
