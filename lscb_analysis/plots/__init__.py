"""Charts in one consistent, accessible style (seaborn / matplotlib)."""

from .style import MARKERS, PALETTE, apply_style

__all__ = ["MARKERS", "PALETTE", "apply_style"]
