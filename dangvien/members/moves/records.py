"""Moves of the records area (registered in moves/__init__.py)."""
