"""Rows of the statistics area for tests (shared by the area's helpers: read-only)."""

from datetime import date
from typing import Any

from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_candidate
from dangvien.organisations.models import Organisation
from dangvien.stats.models import Target, TargetRevision


def make_target(
    organisation: Organisation, year: int, target: int, *, reason: str = "", **breakdown: int
) -> Target:
    """A target with its first revision, as if set once (no permission checks)."""
    row = Target.objects.create(
        organisation=organisation, year=year, target=target, breakdown=breakdown, reason=reason
    )
    TargetRevision.objects.create(
        target=row, revision=1, value=target, breakdown=breakdown, reason=reason
    )
    return row


def make_admission(branch: Organisation, decided_on: date, **fields: Any) -> Candidate:
    """A candidate with an admission decision dated ``decided_on`` (stage ``admitted``),
    without walking the pipeline. Pass ``person=...`` or person fields via a person made
    with ``dangvien.factories.make_person``."""
    fields.setdefault("stage", Stage.ADMITTED)
    return make_candidate(
        branch=branch,
        decided_on=decided_on,
        decision_no=fields.pop("decision_no", f"{decided_on:%d%m}-QĐ/ĐU"),
        listed_on=fields.pop("listed_on", date(decided_on.year - 1, 1, 1)),
        **fields,
    )
