"""Content Studio: draft, check, review and export marketing content."""

__version__ = "0.1.0"
