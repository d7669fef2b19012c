"""Word and Excel documents: rendering, the template check, TOP-3 forms, plans, the dashboard."""
