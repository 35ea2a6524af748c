"""Children's population (aged 0-17): the denominator of rates per 10,000 children."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_analysis.errors import LscbError
from lscb_analysis.parameters.partnership import load_partnership
from lscb_analysis.paths import paths

__all__ = ["PopulationError", "load_population", "population_for"]


class PopulationError(LscbError):
    """The population file is missing or malformed, or has no figure for a locality (a data problem)."""


def load_population(root: Path | str | None = None) -> pd.DataFrame:
    """Read the partnership's population file: ``financial_year, locality, population``.

    Raises
    ------
    PopulationError
        When the file is missing (naming it and how to create it) or lacks a column.
    """
    p = paths(root)
    file = p.raw / load_partnership(p.root).population_file
    if not file.exists():
        raise PopulationError(
            f"{file}: population file not found (`lscb init` writes it from the ONS estimates; the demo's: `lscb demo`)"
        )
    df = pd.read_csv(file, dtype={"financial_year": str, "locality": str})
    missing = {"financial_year", "locality", "population"} - set(df.columns)
    if missing:
        raise PopulationError(f"{file}: missing column(s) {sorted(missing)}")
    return df


def population_for(pop: pd.DataFrame, financial_year: str, locality: str | None = None) -> float:
    """Children in the partnership (or one locality) in a financial year.

    The latest year available stands in for later years (mid-year estimates
    are published about a year in arrears).

    Raises
    ------
    PopulationError
        When the file has no row for ``locality``.
    """
    rows = pop if locality is None else pop[pop.locality == locality]
    if rows.empty:
        raise PopulationError(f"no population for locality {locality!r} in the population file")
    years = sorted(rows.financial_year.unique())
    year = (
        financial_year if financial_year in years else max((y for y in years if y <= financial_year), default=years[0])
    )
    return float(rows.loc[rows.financial_year == year, "population"].sum())
