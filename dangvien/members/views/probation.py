"""Pages of the probation area, and its part of the member's page."""

from datetime import date
from typing import Any

from django.urls import URLPattern

from dangvien.members.models import Member

urlpatterns: list[URLPattern] = []


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """This area's part of the member's page: the context it needs, with ``template``
    naming the part to include; {} when there is nothing to show."""
    return {}
