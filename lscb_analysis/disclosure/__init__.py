"""Statistical disclosure control for published reports.

Board packs are published, so every figure in them passes through this package.

Modules
-------
:mod:`~lscb_analysis.disclosure.settings`
    ``Disclosure``: the partnership's suppression range and symbol (``disclosure:`` in
    ``parameters/partnership.yaml``).
:mod:`~lscb_analysis.disclosure.suppress`
    Primary suppression of small counts, secondary (complementary) suppression so that no
    hidden figure can be worked out from a total, and suppression of what derives from them.
:mod:`~lscb_analysis.disclosure.scan`
    Personal data in plain text (narratives, annotations, actions): NHS numbers, unique
    pupil numbers, postcodes, dates of birth.
:mod:`~lscb_analysis.disclosure.audit`
    What slipped through on a generated HTML page: small counts in its tables, record-level
    columns, personal data in its text.
:mod:`~lscb_analysis.disclosure.rules`
    The stable codes of what the scan and the audit find (``D001-small-count`` ...).
"""
