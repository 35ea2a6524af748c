"""The partnership's own settings: ``parameters/partnership.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lscb_analysis.disclosure.settings import Disclosure
from lscb_analysis.errors import ProblemsError
from lscb_analysis.parameters.problems import file_label, validation_problems
from lscb_analysis.parameters.yamlio import YamlFileError, read_yaml
from lscb_analysis.paths import paths

__all__ = ["Partnership", "load_partnership", "ConfigError"]


class ConfigError(ProblemsError):
    """``parameters/partnership.yaml`` is missing or invalid; every problem is listed."""

    what: ClassVar[str] = "the partnership's settings"


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
def _load_partnership(file: Path, label: str, mtime_ns: int) -> Partnership:
    try:
        data = read_yaml(file, label)
    except FileNotFoundError:
        raise ConfigError([f"{label}: not found; copy parameters/partnership.yaml from the repository"]) from None
    except YamlFileError as exc:
        raise ConfigError([str(exc)]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{label}: must be a mapping of settings (got {type(data).__name__})"])
    try:
        return Partnership.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc, Partnership, file=label)) from None


def load_partnership(root: Path | str | None = None) -> Partnership:
    """Load and validate ``parameters/partnership.yaml`` of the project at ``root``.

    Raises
    ------
    ConfigError
        Every problem of the file, one line each naming the field.
    """
    p = paths(root)
    file = p.parameters / "partnership.yaml"
    mtime = file.stat().st_mtime_ns if file.exists() else 0
    return _load_partnership(file, file_label(file, p.root), mtime)
