"""Charts in one consistent, accessible style (seaborn / matplotlib)."""

from lscb_analysis.render.plots.style import MARKERS, PALETTE, apply_style

__all__ = ["MARKERS", "PALETTE", "apply_style"]
