"""Member moves of the meetings area over JSON, on the members router (API.md "Members")."""

from dangvien.api.members import router  # noqa: F401
