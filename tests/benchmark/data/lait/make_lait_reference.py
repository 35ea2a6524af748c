"""Extract LAIT's published figures for the rank/band reference test (run once; output committed).

Reads LAIT's long data (``bds_long_0.parquet``) and data dictionary from ``../shared/data/lait/``
(LAIT commit 2e30e39) and writes ``lait_values.csv``: every local authority's cell (LAIT ``Values``,
verbatim) for the measures and years below, with the measure's polarity and ``No_Quartile`` flag
from the data dictionary. ``lait_reference.R`` then runs LAIT's own R functions on it.

Usage: python make_lait_reference.py /work/shared/data/lait
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from lscb_analysis.parquet import read_parquet

#: (LAIT Measure_short, years): both polarities, ties, a "-" polarity and a No_Quartile measure.
MEASURES = [
    ("ReReferral", ["2025", "2024"]),  # Low: Warrington 2025 (16.9) sits on the 25% cut point
    ("PrevRegCPR", ["2025"]),  # Low: second or subsequent child protection plans
    ("CareLeaverEET", ["2025"]),  # High
    ("LACHealth%", ["2025"]),  # High
    ("RevCP", ["2025"]),  # High, many ties at 100
    ("CP_conf_15days", ["2025"]),  # High
    ("LAC", ["2025"]),  # "-": no rank, no band
    ("Vacancies_cover", ["2025"]),  # High with No_Quartile = "N": ranked, not banded
]


def main(lait: Path) -> None:
    bds = read_parquet(lait / "bds_long_0.parquet")
    dd = pd.read_csv(lait / "lait_data_dictionary.csv").drop_duplicates("Measure_short")
    meta = dd.set_index("Measure_short")
    rows = []
    for measure, years in MEASURES:
        for year in years:
            part = bds[(bds["Short Desc"] == measure) & (bds["Years"] == year) & (bds["LA Number"] < 970)]
            assert len(part) > 100, (measure, year)
            rows.append(
                pd.DataFrame(
                    {
                        "measure": measure,
                        "year": year,
                        "polarity": meta.loc[measure, "Polarity"],
                        "no_quartile": meta.loc[measure, "No_Quartile"] == "N",
                        "la_number": part["LA Number"].astype(int).to_numpy(),
                        "la_name": part["LA and Regions"].to_numpy(),
                        "value": part["Values"].to_numpy(),
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    out.to_csv(Path(__file__).with_name("lait_values.csv"), index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
