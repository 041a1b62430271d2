"""No tables of its own: the app's rules live in ``policies.py``. This module exists so that
Django sends ``post_migrate`` for the app (``apps.py`` reinstalls the policies then)."""
