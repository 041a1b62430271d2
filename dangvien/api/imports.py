"""JSON API: imports (issue 8). Mounted at the API root; full paths."""

from ninja import Router

router = Router(tags=["imports"])
