"""JSON API: placeholder filled by issue 5 work (see /work/brief-issue5.md)."""

from ninja import Router

router = Router()
