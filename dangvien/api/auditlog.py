"""Audit and access logs for the auditor role (issue 9)."""

from ninja import Router

router = Router(tags=["Nhật ký, giám sát"])
