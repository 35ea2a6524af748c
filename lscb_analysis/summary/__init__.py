"""lscb_analysis.summary."""
