"""lscb_analysis.publish.index."""
