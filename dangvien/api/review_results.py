"""JSON API: review_results (issue 7). Mounted at the API root; write full paths."""

from ninja import Router

router = Router(tags=["Kiểm điểm, xếp loại và sàng lọc"])
