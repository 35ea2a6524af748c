"""The partnership's own settings: ``parameters/partnership.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.paths import paths

__all__ = ["Partnership", "load_partnership", "ConfigError"]


class ConfigError(ValueError):
    """A parameters file is missing or invalid."""


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
        problems = "; ".join(f"field '{'.'.join(map(str, e['loc']))}': {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{file}: {problems}") from None


def load_partnership(root: Path | str | None = None) -> Partnership:
    """Load and validate ``parameters/partnership.yaml``."""
    file = paths(root).parameters / "partnership.yaml"
    mtime = file.stat().st_mtime if file.exists() else 0.0
    return _load_partnership(file, mtime)
