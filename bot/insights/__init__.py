"""FAQ editors' reports from the question log and the desk: `python -m bot insights` (docs/insights.md)."""
