"""``{% if request.user|may_edit_people_at:member.org_path %}``: whether to offer the
person edit link on a member's or candidate's page."""

from typing import Any

from django import template

from dangvien.people.queries import can_edit_people_at

register = template.Library()


@register.filter
def may_edit_people_at(user: Any, org_path: str) -> bool:
    return bool(org_path) and can_edit_people_at(user, org_path)
