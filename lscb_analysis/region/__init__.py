"""Benchmarking between partnerships: a region's shared quarterly data set.

Partnerships in a region agree a common pool of indicators on common
definitions (the London dataset project's "common pool of performance
indicators to report on for all boroughs") and share their figures every
quarter, so each can see where it stands long before DfE publishes the year.

Modules, top to bottom (each imports only from those below it):

:mod:`~lscb_analysis.region.demo`
    Six fictional partnerships sharing eight quarters (``lscb region demo``).
:mod:`~lscb_analysis.region.compare`
    A quarter's comparison: the regional figure, each partnership's interval,
    rank and quartile band (LAIT), significance against the region, funnel
    positions, top and bottom fifths, and disclosure control across partnerships.
:mod:`~lscb_analysis.region.collect`, :mod:`~lscb_analysis.region.share`
    The region ingests its partnerships' shared files into its store
    (``lscb region ingest``); a partnership writes its shared file (``lscb share``).
:mod:`~lscb_analysis.region.exchange`
    The exchange file: a CSV of figures and its JSON manifest.
:mod:`~lscb_analysis.region.settings`, :mod:`~lscb_analysis.region.rules`
    ``parameters/region.yaml`` and ``parameters/sharing.yaml``; the rule codes ``X0xx``.

The pack itself (``lscb region run``) is rendered by :mod:`lscb_analysis.render.region_pages`
and written by :mod:`lscb_analysis.publish.region_pack`. In the layer contract the package
sits beside ``summary`` (it uses ``ingest``, ``store``, ``benchmark``, ``disclosure`` and ``stats``).
"""
