"""Write the inputs of the FunnelPlotR reference run from the DfE files (run once; output committed).

``inputs.csv``: every local authority with counts in DfE's 2025 referrals file: re-referrals of
referrals (a proportion) and referrals with the ONS mid-2024 children aged 0-17 (a rate).

Usage: python make_inputs.py <data/raw/dfe>
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def main(dfe: Path) -> None:
    c1 = [
        r
        for r in _rows(dfe / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv")
        if r["time_period"] == "2025" and r["geographic_level"] == "Local authority"
    ]
    pop = {
        r["old_la_code"]: r["population_estimate"]
        for r in _rows(dfe / "ons_mid-year_population_estimates_2012_to_2024.csv")
        if r["time_period"] == "2024"
        and r["geographic_level"] == "Local authority"
        and r["age_group"] == "Children aged 0 to 17 years"
    }
    out = [
        {
            "old_la_code": r["old_la_code"],
            "rereferrals": r["rereferral_count"],
            "referrals": r["referral_count"],
            "children": pop[r["old_la_code"]],
        }
        for r in c1
        if r["rereferral_count"].isdigit() and r["referral_count"].isdigit() and r["old_la_code"] in pop
    ]
    with open(Path(__file__).with_name("inputs.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
