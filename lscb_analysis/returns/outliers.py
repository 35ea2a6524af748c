"""Outliers: a total far outside its indicator's own history (warning ``R050-outlier``).

A new total is flagged when it is more than :data:`OUTLIER_Z` robust standard
deviations (1.4826 x the median absolute deviation, at least 10% of the median
and at least 1) from the median of its last :data:`OUTLIER_WINDOW` accepted
quarters, given at least :data:`OUTLIER_MIN_POINTS` of them. Ingest runs it on
the store rows it is about to accept, against the store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_analysis.findings import Finding
from lscb_analysis.periods import as_periods
from lscb_analysis.returns.rules import RULES
from lscb_analysis.tidy import TOTAL

__all__ = ["outlier_findings", "OUTLIER_Z", "OUTLIER_WINDOW", "OUTLIER_MIN_POINTS"]

OUTLIER_Z = 5.0
OUTLIER_WINDOW = 12
OUTLIER_MIN_POINTS = 6


def outlier_findings(new: pd.DataFrame, history: pd.DataFrame) -> list[Finding]:
    """Warn about totals far outside their indicator's own history (``R050-outlier``).

    Parameters
    ----------
    new : DataFrame
        Store rows being accepted (``indicator_id, period, breakdown, value, provider,
        source_file, source_sheet, source_row``).
    history : DataFrame
        The current figures (latest value per cell) before this ingest.

    Returns
    -------
    list of Finding
        One warning per flagged total, at the numerator cell.
    """
    cols = ["indicator_id", "period", "value"]
    tot_new = new[new.breakdown.eq(TOTAL) & new.value.notna()]
    if tot_new.empty:
        return []
    old = history[history.breakdown.eq(TOTAL)][cols] if len(history) else pd.DataFrame(columns=cols)
    keys = set(zip(tot_new.indicator_id, tot_new.period, strict=True))
    old = old[[k not in keys for k in zip(old.indicator_id, old.period, strict=True)]]
    allv = pd.concat([old.assign(is_new=False), tot_new[cols].assign(is_new=True, _i=tot_new.index)], ignore_index=True)
    allv = allv[allv.indicator_id.isin(set(tot_new.indicator_id))]
    allv["value"] = allv.value.astype(float)
    allv["ord"] = as_periods(allv.period).array.asi8  # quarters in order
    allv = allv.sort_values(["indicator_id", "ord"], kind="stable")
    out: list[Finding] = []
    for ind_id, g in allv.groupby("indicator_id", sort=False):
        v = g.value.to_numpy()
        for j in np.flatnonzero(g.is_new.to_numpy()):
            past = v[max(0, j - OUTLIER_WINDOW) : j]
            past = past[~np.isnan(past)]
            if len(past) < OUTLIER_MIN_POINTS:
                continue
            med = float(np.median(past))
            scale = max(1.4826 * float(np.median(np.abs(past - med))), 0.1 * abs(med), 1.0)
            z = (v[j] - med) / scale
            if abs(z) <= OUTLIER_Z:
                continue
            r = new.loc[int(g._i.iloc[j])]
            out.append(
                RULES["R050-outlier"].on_figure(
                    r,
                    f"Row {int(r.source_row)}: {ind_id} is {v[j]:,.4g} this quarter against a median of {med:,.4g} "
                    f"over the last {len(past)} quarters ({'far higher' if z > 0 else 'far lower'} than usual); "
                    "confirm the figure is right, or send a corrected return.",
                )
            )
    return out
