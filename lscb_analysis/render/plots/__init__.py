"""Charts in one consistent, accessible style (matplotlib; colours in :mod:`lscb_analysis.render.theme`)."""
