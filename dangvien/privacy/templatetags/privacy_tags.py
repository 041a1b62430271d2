"""``{% consent_card person %}``: the personal-data card of a person's page (issue 9): the
consent and its notice version, a withdrawal shown as a warning, the open data-subject
requests, and the forms of those who keep the person's records."""

from typing import Any

from django import template
from django.utils import timezone

from dangvien.privacy import forms, queries

register = template.Library()


@register.inclusion_tag("privacy/_consent_card.html", takes_context=True)
def consent_card(
    context: template.Context, person: Any, branch_path: str | None = None
) -> dict[str, Any]:
    """``branch_path``: the path of the chi bộ the person is attached to
    (``queries.person_org_path``), when the page has it already (a member's page: the
    member's branch)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    today = timezone.localdate()
    consents = queries.consents_of(person)
    active = next((c for c in consents if c.withdrawn_on is None), None)
    if branch_path is None:
        branch_path = queries.person_org_path(person)
    may = user is not None and queries.may_handle_personal_data(user, branch_path)
    return {
        "person": person,
        "consents": consents,
        "active": active,
        "withdrawn": None if active else next(iter(consents), None),
        "requests": list(queries.open_requests_of(person).order_by("due_on")),
        "today": today,
        "may_handle": may,
        "consent_form": forms.ConsentForm(prefix="consent", initial={"given_on": today})
        if may and active is None
        else None,
        "withdraw_form": forms.WithdrawConsentForm(
            prefix="withdraw", initial={"withdrawn_on": today}
        )
        if may and active is not None
        else None,
        "csrf_token": context.get("csrf_token"),
    }
