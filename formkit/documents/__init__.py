"""Word and Excel documents: rendering templates, the TOP-3 form, the plan (docx, workbook, its versions), the dashboard."""
