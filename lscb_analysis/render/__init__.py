"""lscb_analysis.render."""
