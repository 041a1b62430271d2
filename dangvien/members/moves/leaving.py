"""Moves of the leaving area (registered in moves/__init__.py)."""
