"""``{% load auditlog %}{% if user|may_audit %}…``: whether to show the "Giám sát" link."""

from typing import Any

from django import template

from dangvien.auditlog.queries import may_audit as _may_audit

register = template.Library()


@register.filter
def may_audit(user: Any) -> bool:
    return _may_audit(user)
