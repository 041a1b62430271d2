"""Smallest valid review objects for tests (the actions set them up for real use)."""

from datetime import date
from decimal import Decimal
from typing import Any

from dangvien.members.models import Member
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import MemberReview, PeriodKind, Rating, ReviewPeriod, Stage


def make_period(
    organisation: Organisation, year: int = 2026, kind: str = PeriodKind.YEARLY, **fields: Any
) -> ReviewPeriod:
    fields.setdefault("name", f"Kiểm điểm, đánh giá, xếp loại năm {year}")
    fields.setdefault("starts_on", date(year, 1, 1))
    fields.setdefault("ends_on", date(year, 12, 31))
    return ReviewPeriod.objects.create(
        organisation=organisation, org_path=organisation.path, kind=kind, year=year, **fields
    )


def make_review(
    period: ReviewPeriod,
    member: Member,
    rating: str = Rating.GOOD,
    stage: str = Stage.BRANCH_PROPOSED,
    score: str = "80",
    **fields: Any,
) -> MemberReview:
    """A review at ``stage`` with every earlier step filled with ``rating``."""
    values: dict[str, Any] = {
        "self_score": Decimal(score),
        "self_rating": rating,
        "self_assessed_on": period.ends_on,
    }
    if stage != Stage.SELF_ASSESSED:
        values.update(
            branch_score=Decimal(score),
            proposed_rating=rating,
            branch_reviewed_on=period.ends_on,
        )
    if stage in (Stage.DECIDED, Stage.PUBLISHED):
        values.update(decided_rating=rating, decision_no="01-QĐ/ĐU", decided_on=period.ends_on)
    values.update(fields)
    return MemberReview.objects.create(
        period=period,
        member=member,
        branch=member.branch,
        org_path=member.org_path,
        stage=stage,
        **values,
    )
