"""The joint plan: its model, the merge, versions on disk, history over meetings, signals and status."""
