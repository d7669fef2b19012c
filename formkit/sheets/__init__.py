"""The score sheet: its one definition (schema), the Excel form, the seal, and the forms for a meeting."""
