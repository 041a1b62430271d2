"""``{% load auditlog %}{% if user|may_audit %}…``: whether to show the "Giám sát" link;
``{% if user|works_on_data %}``: whether to show the menu of the party work itself."""

from typing import Any

from django import template

from dangvien.auditlog.queries import may_audit as _may_audit

register = template.Library()


@register.filter
def may_audit(user: Any) -> bool:
    return _may_audit(user)


@register.filter
def works_on_data(user: Any) -> bool:
    """Whether ``user`` sees any unit's data: a superuser, or a role with a data scope. An
    auditor's own data scope is empty (docs/row-level-security.md): their menu holds the
    logs only, not pages that would all be empty."""
    from dangvien.organisations.queries import scope_paths

    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(scope_paths(user))
