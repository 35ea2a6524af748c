"""DfE benchmarking: "How are we doing compared with similar areas?"

Reads DfE Explore Education Statistics files (``data/raw/dfe``), the DfE
statistical neighbour models, and compares an authority with its neighbours,
its region and England (LAIT rank and quartile banding, Fingertips
single overlapping CI comparison).

Modules: :mod:`.ees` (EES CSV reader; GSS symbols: :mod:`lscb_analysis.symbols`),
:mod:`.authorities` (codes across reorganisations), :mod:`.neighbours`
(statistical neighbours and their average), :mod:`.measures` (the values
of the DfE measures that ``parameters/benchmark_measures.yaml`` names; the
mapping itself is :mod:`lscb_analysis.parameters.benchmark_measures`),
:mod:`.lait` (LAIT's rank and quartile band), :mod:`.compare` (tables),
:mod:`.funnel` (funnel plot data and limit lines, with limits and significance
from :mod:`lscb_analysis.stats`). Charts: :mod:`lscb_analysis.render.plots.benchmark`.
"""

from lscb_analysis.benchmark.authorities import (
    REORGANISATIONS,
    Authority,
    UnknownAuthorityError,
    authority_table,
    find_authority,
    resolve_la_code,
)
from lscb_analysis.benchmark.compare import (
    benchmark_overview,
    benchmark_table,
    compare_with_england,
    neighbour_comparison,
)
from lscb_analysis.benchmark.ees import EESFormatError, period_end_year, period_label, read_ees_csv
from lscb_analysis.benchmark.funnel import funnel_data, funnel_limits, funnel_lines
from lscb_analysis.benchmark.lait import quartile_band, quartile_cut_points, rank_and_band
from lscb_analysis.benchmark.measures import check_measures, indicator_values
from lscb_analysis.benchmark.neighbours import (
    NeighbourAverage,
    neighbour_average,
    statistical_neighbours,
    statistical_neighbours_table,
)

__all__ = [
    "Authority",
    "EESFormatError",
    "NeighbourAverage",
    "REORGANISATIONS",
    "UnknownAuthorityError",
    "authority_table",
    "benchmark_overview",
    "benchmark_table",
    "check_measures",
    "compare_with_england",
    "find_authority",
    "funnel_data",
    "funnel_limits",
    "funnel_lines",
    "indicator_values",
    "neighbour_average",
    "neighbour_comparison",
    "period_end_year",
    "period_label",
    "quartile_band",
    "quartile_cut_points",
    "rank_and_band",
    "read_ees_csv",
    "resolve_la_code",
    "statistical_neighbours",
    "statistical_neighbours_table",
]
