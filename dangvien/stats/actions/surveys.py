"""Freezing the quarterly survey of the candidate pool and writing its assessment (issue 6;
seed 003: "định kỳ hằng quý khảo sát, đánh giá phân tích chất lượng quần chúng").

A snapshot is taken for a node and every node below it at once, so the figures of a
quarter add up down the tree. While the quarter runs, taking it again refreshes the
figures (the committee may freeze them on its last working day); once the quarter has
ended, its snapshot is a record and is never taken again.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotAllowed, NotEligible
from dangvien.core.text import nfc_lines
from dangvien.organisations.models import Organisation
from dangvien.stats.models import PoolSurvey
from dangvien.stats.queries.access import can_take_survey
from dangvien.stats.queries.surveys import compositions, quarter_bounds, quarter_label

if TYPE_CHECKING:
    from dangvien.accounts.models import User

FIRST_YEAR = 2000  # the range the statistics pages accept (stats.views.common.year_param)
ASSESSMENT_MAX = 10_000
BATCH = 1000


@dataclass
class TakenSurvey:
    survey: PoolSurvey  # the snapshot of the node the survey was taken for
    created: int  # snapshots written for the first time (the node and those below)
    updated: int  # snapshots of the running quarter refreshed
    kept: int  # snapshots below, taken before the quarter ended, left as they were


def _assessment(text: str) -> str:
    text = nfc_lines(text or "")
    if len(text) > ASSESSMENT_MAX:
        raise NotEligible(
            f"Bản đánh giá quá dài (tối đa {ASSESSMENT_MAX:,} ký tự).".replace(",", "."),
            field="assessment",
        )
    return text


def _may(by: "User | None", org: Organisation) -> None:
    if by is not None and not can_take_survey(by, org):
        raise NotAllowed(
            "Chỉ cán bộ cấp ủy (đảng ủy cơ sở, ban tổ chức cấp trên) được chốt số liệu và "
            "ghi đánh giá khảo sát nguồn quần chúng."
        )


@action
def take_pool_survey(
    org: Organisation, *, year: int, quarter: int, by: "User | None", assessment: str = ""
) -> TakenSurvey:
    """Freeze the candidate pool of ``org`` and of every node below it for a quarter
    (seed 003: quarterly survey of the pool; issue 6).

    - ``by`` needs the ``targets`` capability at the node or above
      (``stats.queries.access.can_take_survey``); ``by=None`` is the scheduled job run on
      the server (``manage.py take_pool_surveys``);
    - a quarter that has not started is refused ("Quý IV/2026 chưa bắt đầu.");
    - while the quarter runs the figures are those of today and taking it again refreshes
      them (assessments already written are kept); after it ended they are those of its
      last day, and the node's snapshot, once taken, is a record: taking it again is
      refused. Snapshots of nodes below taken while the quarter ran are kept then.
    """
    _may(by, org)
    if quarter not in (1, 2, 3, 4):
        raise NotEligible("Quý phải là 1, 2, 3 hoặc 4.", field="quarter")
    if not FIRST_YEAR <= year <= 9999:
        raise NotEligible(f"Năm phải từ {FIRST_YEAR} trở đi.", field="year")
    label = quarter_label(year, quarter)
    today = timezone.localdate()
    first, last = quarter_bounds(year, quarter)
    if first > today:
        raise NotEligible(f"{label} chưa bắt đầu.", field="quarter")
    text = _assessment(assessment)
    running = today <= last
    taken_on = today if running else last

    existing = {
        s.organisation_id: s
        for s in PoolSurvey.objects.select_for_update(of=("self",)).filter(
            org_path__startswith=org.path, year=year, quarter=quarter
        )
    }
    mine = existing.get(org.pk)
    if mine is not None and not running:
        raise Conflict(
            f"{label} đã kết thúc; số liệu khảo sát đã chốt ngày {mine.taken_on:%d/%m/%Y} là "
            "hồ sơ lưu, không chốt lại.",
            field="quarter",
        )

    figures = compositions(org, taken_on)
    paths = dict(Organisation.objects.filter(pk__in=list(figures)).values_list("pk", "path"))
    now = timezone.now()
    user = by if getattr(by, "pk", None) else None
    fresh: list[PoolSurvey] = []
    refreshed: list[PoolSurvey] = []
    kept = 0
    for org_id, data in figures.items():
        row = existing.get(org_id)
        if row is None:
            fresh.append(
                PoolSurvey(
                    organisation_id=org_id,
                    org_path=paths[org_id],
                    year=year,
                    quarter=quarter,
                    taken_on=taken_on,
                    data=data,
                    assessment=text if org_id == org.pk else "",
                    by=user,
                    at=now,
                )
            )
        elif running:
            row.data, row.taken_on, row.by, row.at = data, taken_on, user, now
            if org_id == org.pk and text:
                row.assessment = text
            refreshed.append(row)
        else:
            kept += 1
    try:
        with transaction.atomic():
            PoolSurvey.objects.bulk_create(fresh, batch_size=BATCH)
    except IntegrityError:
        # Someone froze the same quarter in the same moment: their snapshot stands.
        raise Conflict(
            f"Số liệu khảo sát {quarter_label(year, quarter, capital=False)} vừa được người "
            "khác chốt; vui lòng tải lại trang."
        ) from None
    PoolSurvey.objects.bulk_update(
        refreshed, ["data", "taken_on", "by", "at", "assessment"], batch_size=BATCH
    )
    survey = PoolSurvey.objects.select_related("organisation", "by").get(
        organisation=org, year=year, quarter=quarter
    )
    return TakenSurvey(survey, created=len(fresh), updated=len(refreshed), kept=kept)


@action
def record_assessment(survey: PoolSurvey, *, text: str, by: "User") -> PoolSurvey:
    """The committee's written analysis of the pool's quality for the quarter (seed 003:
    "đánh giá phân tích chất lượng quần chúng"). Written or corrected at any time by those
    who may take the survey; an empty text clears it."""
    _may(by, survey.organisation)
    row = PoolSurvey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    row.assessment = _assessment(text)
    row.save(update_fields=["assessment"])
    survey.assessment = row.assessment
    return survey


def describe(taken: TakenSurvey) -> str:
    """One sentence for the page and the command: what was written."""
    survey = taken.survey
    parts = [f"{taken.created} tổ chức chốt mới"]
    if taken.updated:
        parts.append(f"{taken.updated} cập nhật")
    if taken.kept:
        parts.append(f"{taken.kept} giữ nguyên số liệu đã chốt")
    total = f"{int(survey.data.get('total', 0)):,}".replace(",", ".")
    label = quarter_label(survey.year, survey.quarter, capital=False)
    return (
        f"Đã chốt số liệu khảo sát nguồn {label} của {survey.organisation.name} tại ngày "
        f"{survey.taken_on:%d/%m/%Y}: {total} quần chúng trong nguồn ({', '.join(parts)})."
    )
