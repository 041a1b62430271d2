"""Moves of the meetings area (registered in moves/__init__.py)."""
