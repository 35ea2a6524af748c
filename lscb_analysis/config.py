"""Project paths and the partnership's own settings (``parameters/partnership.yaml``).

Everything the workbench reads or writes is found from here, so a notebook
executed by papermill from ``notebooks/`` and a test run from the project root
see the same folders. ``LSCB_PROJECT_ROOT`` overrides the root (used by tests
and the benchmark to work on a copy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Paths", "Partnership", "Disclosure", "paths", "load_partnership", "ConfigError"]


class ConfigError(ValueError):
    """A parameters file is missing or invalid."""


def _root() -> Path:
    env = os.environ.get("LSCB_PROJECT_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Paths:
    """The project's folders. Data flows raw -> processed -> reports, one way."""

    root: Path

    @property
    def parameters(self) -> Path:
        return self.root / "parameters"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def returns(self) -> Path:
        return self.raw / "returns"

    @property
    def dfe(self) -> Path:
        return self.raw / "dfe"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


def paths(root: Path | str | None = None) -> Paths:
    """Paths of the project at ``root`` (default: this checkout, or ``LSCB_PROJECT_ROOT``)."""
    return Paths(Path(root).resolve() if root else _root())


class Disclosure(BaseModel):
    """Statistical disclosure control for published reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_count: int = Field(1, ge=0, description="Smallest count that is suppressed (0 is never suppressed when 1).")
    max_count: int = Field(5, ge=0, description="Largest count that is suppressed.")
    symbol: str = Field("c", description="GSS symbol shown in place of a suppressed figure.")


class Partnership(BaseModel):
    """The partnership the workbench reports on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    short_name: str
    area_code: str = Field(description="Code used as 'area' in the store.")
    fictional: bool = False
    returns_folder: str = Field(description="Folder under data/raw/returns/ holding this partnership's returns.")
    population_file: str = Field(description="CSV of children aged 0-17 by year and locality, relative to data/raw/.")
    benchmark_la_code: str | None = Field(None, description="DfE LA code (old 3-digit or new E-code) for benchmarking.")
    disclosure: Disclosure = Disclosure()
    max_workers: int | None = Field(None, ge=1, description="Notebooks run at once (default: number of cores).")


@lru_cache(maxsize=8)
def _load_partnership(file: Path, mtime: float) -> Partnership:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: not found; copy parameters/partnership.yaml from the repository") from None
    try:
        return Partnership.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(map(str, e['loc']))}': {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{file}: {problems}") from None


def load_partnership(root: Path | str | None = None) -> Partnership:
    """Load and validate ``parameters/partnership.yaml``."""
    file = paths(root).parameters / "partnership.yaml"
    mtime = file.stat().st_mtime if file.exists() else 0.0
    return _load_partnership(file, mtime)
