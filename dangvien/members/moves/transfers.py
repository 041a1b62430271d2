"""Moves of the transfers area (registered in moves/__init__.py)."""
