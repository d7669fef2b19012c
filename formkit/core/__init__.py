"""The ground every stage stands on: errors, findings and their Dutch messages, settings, dates, text, paths, atomic writes, locks and parallel work."""
