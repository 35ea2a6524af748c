"""The partnership's disclosure-control settings (``disclosure:`` in ``parameters/partnership.yaml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Disclosure"]


class Disclosure(BaseModel):
    """Statistical disclosure control for published reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_count: int = Field(1, ge=0, description="Smallest count that is suppressed (0 is never suppressed when 1).")
    max_count: int = Field(5, ge=0, description="Largest count that is suppressed.")
    symbol: str = Field("c", description="GSS symbol shown in place of a suppressed figure.")

    @field_validator("symbol")
    @classmethod
    def _visible(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must be a visible symbol such as 'c' (a blank would hide that a figure was suppressed)")
        return v

    @model_validator(mode="after")
    def _range(self) -> Disclosure:
        if self.max_count < self.min_count:
            raise ValueError(
                f"max_count ({self.max_count}) must be at least min_count ({self.min_count}): "
                "counts from min_count to max_count are suppressed"
            )
        return self
