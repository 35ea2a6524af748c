"""The partnership's disclosure-control settings (``disclosure:`` in ``parameters/partnership.yaml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Disclosure"]


class Disclosure(BaseModel):
    """Statistical disclosure control for published reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_count: int = Field(1, ge=0, description="Smallest count that is suppressed (0 is never suppressed when 1).")
    max_count: int = Field(5, ge=0, description="Largest count that is suppressed.")
    symbol: str = Field("c", description="GSS symbol shown in place of a suppressed figure.")
