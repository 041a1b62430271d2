"""Personal-data obligations: consent, data-subject requests (issue 9)."""

from ninja import Router

router = Router(tags=["Dữ liệu cá nhân"])
