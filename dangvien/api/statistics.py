"""JSON API of the statistics area (issue 6; shared/API.md). Mounted at the API root."""

from ninja import Router

router = Router(tags=["Chỉ tiêu và thống kê"])
