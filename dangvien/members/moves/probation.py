"""Moves of the probation area (registered in moves/__init__.py)."""
