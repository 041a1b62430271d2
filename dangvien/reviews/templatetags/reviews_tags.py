"""Template helpers of the quality review pages, and the member page's card
``{% member_reviews member %}``: the member's ratings by period and their disciplinary
decisions, with a link to record one for those who may."""

from typing import Any

from django import template

from dangvien.members.models import Member
from dangvien.reviews.forms import BADGES, SHORT
from dangvien.reviews.models import Rating
from dangvien.reviews.queries.history import member_history

register = template.Library()


@register.filter
def short_rating(value: str | None) -> str:
    """A rating in a narrow column: "Xuất sắc", "Tốt", "Hoàn thành", "Không hoàn thành"."""
    return SHORT.get(value or "", "")


@register.filter
def rating_label(value: str | None) -> str:
    """The full wording: "Hoàn thành xuất sắc nhiệm vụ"…"""
    return str(Rating(value).label) if value in Rating.values else ""


@register.filter
def rating_badge(value: str | None) -> str:
    """The badge class of a rating (green for excellent, red for failed)."""
    return BADGES.get(value or "", "")


@register.inclusion_tag("reviews/_member_reviews.html", takes_context=True)
def member_reviews(context: template.Context, member: Member) -> dict[str, Any]:
    """The member's reviews (newest period first) and disciplines, for the member page."""
    from dangvien.reviews.views.disciplines import may_record_discipline

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "member": member,
        "reviews": member_history(member),
        "disciplines": list(member.disciplines.order_by("-decided_on", "-pk")),
        "may_record": user is not None and may_record_discipline(user, member),
    }
