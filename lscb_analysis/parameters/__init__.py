"""lscb_analysis.parameters."""
