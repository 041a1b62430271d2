"""A member's reviews over the years (for the member page; DOMAIN.md §4)."""

from dangvien.members.models import Member
from dangvien.reviews.models import MemberReview


def member_history(member: Member) -> list[MemberReview]:
    """The member's reviews, latest period first, with the period, chi bộ and deciding
    committee (one query)."""
    return list(
        MemberReview.objects.filter(member=member)
        .select_related("period", "branch", "decider")
        .order_by("-period__ends_on", "-period__starts_on", "-pk")
    )
