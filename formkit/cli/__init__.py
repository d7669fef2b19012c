"""The `formkit` command line: a thin Dutch layer over the library."""

from .main import main

__all__ = ["main"]
