"""Demo data of the targets and statistics area (issue 6), built through the actions.

- Yearly admission targets for last year and this year: the province's own (recorded by
  its organisation board, as the Centre gave it) with breakdown targets, its children's
  (proportional to their members, adding up to the province's), one revision with its
  reason, and the demo commune's targets for its own children, which fall a little short
  of what the province gave it (the targets page shows the warning).
- The quarterly candidate-pool survey of the last four quarters and the running one, with
  the province's written assessment of the last closed quarter.
"""

from typing import TYPE_CHECKING, Any

from dangvien.members.models import ACTIVE_STATUSES, Member
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import children, count_per_child
from dangvien.stats.actions.surveys import record_assessment, take_pool_survey
from dangvien.stats.actions.targets import set_children_targets, set_target
from dangvien.stats.models import Breakdown
from dangvien.stats.queries.surveys import previous_quarter, quarter_of

if TYPE_CHECKING:
    from dangvien.accounts.models import User
    from dangvien.core.demo import Demo

GROWTH = 0.045  # new members a year per active member: the demo province's plan


def _shares(total: int, weights: dict[int, int]) -> dict[int, int]:
    """Split ``total`` in proportion to ``weights``, largest remainders first: the parts
    add up to ``total``."""
    whole = sum(weights.values()) or 1
    exact = {k: total * w / whole for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - parts[k], reverse=True)[
        : total - sum(parts.values())
    ]:
        parts[k] += 1
    return parts


def _members_per_child(org: Organisation) -> dict[int, int]:
    by_path = count_per_child(Member.objects.filter(status__in=ACTIVE_STATUSES), org)
    return {child.pk: by_path.get(child.path, 0) for child in children(org)}


def _targets(demo: "Demo", org: Organisation, year: int, total: int, by: "User") -> None:
    weights = _members_per_child(org)
    parts = _shares(total, weights)
    set_children_targets(
        org,
        year=year,
        targets=parts,
        reason=f"Nghị quyết giao chỉ tiêu phát triển đảng viên năm {year}",
        by=by,
    )


def build_targets_and_surveys(demo: "Demo") -> dict[str, Any]:
    province, commune = demo.province, demo.demo_commune
    assert province is not None and commune is not None
    board, commune_staff = demo.users["demo.tinh"], demo.users["demo.xa"]
    this_year = demo.today.year
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    empty_villages = sum(len(v) for v in demo.empty_villages.values())
    for year in (this_year - 1, this_year):
        total = max(10, round(active * GROWTH))
        set_target(
            province,
            year=year,
            target=total,
            reason=f"Chỉ tiêu Trung ương giao năm {year}",
            breakdown={
                Breakdown.WOMEN: round(total * 0.4),
                Breakdown.YOUTH_UNION: round(total * 0.45),
                Breakdown.ETHNIC_MINORITY: round(total * 0.1),
                Breakdown.PRIVATE_SECTOR: max(1, round(total * 0.05)),
                Breakdown.VILLAGES_WITHOUT_MEMBERS: empty_villages,
            },
            by=board,
        )
        _targets(demo, province, year, total, board)
    # The demo commune asked for one more this year; the province revised its target.
    current = commune.targets.get(year=this_year).target
    set_target(
        commune,
        year=this_year,
        target=current + 2,
        reason="Đảng bộ xã đăng ký vượt chỉ tiêu sau sơ kết 6 tháng (Công văn số 112-CV/ĐU)",
        by=board,
    )
    # The commune hands its target down, keeping two in reserve (the page warns).
    weights = _members_per_child(commune)
    set_children_targets(
        commune,
        year=this_year,
        targets=_shares(current, weights),
        reason=f"Nghị quyết Ban Thường vụ Đảng ủy giao chỉ tiêu năm {this_year}",
        by=commune_staff,
    )

    # Pool surveys: the last four closed quarters, then the running one.
    quarters: list[tuple[int, int]] = [quarter_of(demo.today)]
    for _ in range(4):
        quarters.append(previous_quarter(*quarters[-1]))
    taken = 0
    for year, quarter in reversed(quarters):
        taken += take_pool_survey(province, year=year, quarter=quarter, by=None).created
    last_closed = province.pool_surveys.get(year=quarters[1][0], quarter=quarters[1][1])
    record_assessment(
        last_closed,
        text=(
            "Nguồn quần chúng ưu tú cơ bản bảo đảm về số lượng; tỷ lệ đoàn viên thanh niên và "
            "nữ tăng so với quý trước. Còn một số thôn, bản chưa có đảng viên chưa tạo được "
            "nguồn; các đảng bộ xã cần rà soát, giới thiệu quần chúng ở các thôn này."
        ),
        by=board,
    )
    return {"target": province.targets.get(year=this_year).target, "pool_surveys": taken}
