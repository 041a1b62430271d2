"""Member moves of the probation area over JSON, on the members router (API.md "Members").

Reads that do not sit under /members go on ``extra``, mounted at the API root."""

from ninja import Router

from dangvien.api.members import router  # noqa: F401

extra = Router(tags=["Đảng viên"])
