"""Demo data of the quality review and screening area (issue 7), built through the actions.

- The province opens the yearly review for last year and this year.
- Last year: every chi bộ of the demo commune filled its review sheet, the deciding
  committees decided and published the ratings (within the 20% quota on "excellent"), and
  the chi bộ and the grassroots organisation were rated too.
- This year: the demo chi bộ's sheet is filled and decided already, with one member
  failing for the second year running (the secretary's removal to-do shows them); the
  other chi bộ directly under the commune wait for the commune's decision; the chi bộ of
  the demo đảng bộ cơ sở have only some self-assessments (their sheets are to do), one of
  their members disciplined this year (the sheet shows the cap).
- Screening: a ballot short of 2/3, a member being helped whose help period has ended (a
  to-do), one who improved, and one proposed for removal (their removal proceeding open on
  the member page).
"""

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dangvien.members.models import Exemption, Member
from dangvien.members.queries import official_members
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions import (
    DecisionItem,
    SheetRow,
    close_period,
    decide_org_ratings,
    decide_ratings,
    open_period,
    publish_ratings,
    record_discipline,
    record_org_assessment,
    record_self_assessment,
    save_branch_sheet,
)
from dangvien.reviews.models import MemberReview, OrganisationReview, PeriodKind, Rating, Stage
from dangvien.reviews.queries.access import member_rating_decider, org_rating_decider
from dangvien.reviews.queries.sheets import sheet_rows
from dangvien.screening.actions import (
    assign_helper,
    list_for_screening,
    record_improved,
    record_outcome,
)
from dangvien.screening.models import Criterion, State
from dangvien.screening.queries.cases import ballot_base

if TYPE_CHECKING:
    from dangvien.accounts.models import User
    from dangvien.core.demo import Demo, Unit

SCORES: dict[str, tuple[int, int, int, tuple[int, int]]] = {
    Rating.EXCELLENT: (90, 97, 100, (30, 55)),
    Rating.GOOD: (72, 89, 100, (0, 25)),
    Rating.COMPLETE: (52, 69, 85, (0, 0)),
    Rating.FAILED: (38, 49, 60, (0, 0)),
}


def _ratings(rng: random.Random, n: int, failed: int = 0) -> list[str]:
    """A believable spread for ``n`` members, within the 20% quota on "excellent"."""
    complete = round(n * rng.uniform(0.05, 0.15))
    good_or_better = max(n - complete - failed, 0)
    excellent = rng.randint(0, math.floor(good_or_better * 20 / 100))
    counts = {
        Rating.EXCELLENT: excellent,
        Rating.GOOD: good_or_better - excellent,
        Rating.COMPLETE: complete,
        Rating.FAILED: failed,
    }
    out = [str(rating) for rating, k in counts.items() for _ in range(k)]
    rng.shuffle(out)
    return out


def _row(rng: random.Random, member_id: int, rating: str) -> SheetRow:
    low, high, on_time, beyond = SCORES[rating]
    score = Decimal(rng.randint(low * 10, high * 10)) / 10
    return SheetRow(
        member_id=member_id,
        self_score=min(score + Decimal(rng.choice([0, 0, 1, 2])), Decimal(high)),
        self_rating=rating,
        branch_score=score,
        proposed_rating=rating,
        on_time_percent=on_time,
        beyond_percent=rng.randint(*beyond),
        branch_comment=""
        if rating != Rating.FAILED
        else "Không tham gia sinh hoạt, nhiều lần không thực hiện nhiệm vụ chi bộ phân công",
    )


def _sheet(
    period: Any,
    unit: "Unit",
    *,
    rng: random.Random,
    by: "User",
    held_on: date,
    fail: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    lines = [line for line in sheet_rows(period, unit.org, on=held_on) if not line.exempted]
    ids = [line.member.pk for line in lines if line.member.pk not in fail]
    ratings = _ratings(rng, len(ids))
    rows = [_row(rng, pk, rating) for pk, rating in zip(ids, ratings, strict=True)]
    rows += [_row(rng, pk, Rating.FAILED) for pk in fail]
    save_branch_sheet(
        period,
        unit.org,
        by=by,
        held_on=held_on,
        resolution_no=f"{rng.randint(10, 99)}-BB/CB",
        rows=rows,
    )


def _decide(
    period: Any,
    decider: Organisation,
    branches: list[Organisation],
    *,
    by: "User",
    on: date,
    number: str,
) -> int:
    ids = list(
        MemberReview.objects.filter(
            period=period, branch__in=branches, stage=Stage.BRANCH_PROPOSED
        ).values_list("pk", flat=True)
    )
    if ids:
        decide_ratings(
            period,
            decider,
            by=by,
            decision_no=number,
            decided_on=on,
            items=[DecisionItem(pk) for pk in ids],
        )
    return len(ids)


def _org_ratings(
    demo: "Demo", period: Any, orgs: list[Organisation], *, rng: random.Random, on: date
) -> None:
    by_decider: dict[int, list[OrganisationReview]] = {}
    for org in orgs:
        decider = org_rating_decider(org)
        if decider is None:
            continue
        rating = rng.choice([Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.COMPLETE])
        low, high, on_time, _beyond = SCORES[rating]
        review = record_org_assessment(
            period,
            org,
            by=_decider_user(demo, org) if org.kind != "branch" else _branch_user(demo, org),
            self_score=Decimal(rng.randint(low, high)),
            self_rating=rating,
            assessed_on=on,
            on_time_percent=on_time,
            self_comment="Lãnh đạo thực hiện tốt nhiệm vụ chính trị của đơn vị; sinh hoạt "
            "chi bộ đều đặn, nền nếp",
        )
        by_decider.setdefault(decider.pk, []).append(review)
    for decider_pk, reviews in by_decider.items():
        decider = Organisation.objects.get(pk=decider_pk)
        decide_org_ratings(
            period,
            decider,
            by=_decider_user(demo, decider),
            decision_no=f"{rng.randint(100, 199)}-QĐ/ĐU",
            decided_on=on + timedelta(days=20),
            items=[DecisionItem(r.pk) for r in reviews],
        )


def _decider_user(demo: "Demo", decider: Organisation) -> "User":
    if demo.demo_gc is not None and decider.path.startswith(demo.demo_gc.path):
        return demo.users["demo.coso"]
    if demo.demo_commune is not None and decider.path.startswith(demo.demo_commune.path):
        return demo.users["demo.xa"]
    return demo.users["demo.tinh"]


def _branch_user(demo: "Demo", branch: Organisation) -> "User":
    if demo.demo_branch is not None and branch == demo.demo_branch.org:
        return demo.users["demo.chibo"]
    if demo.demo_gc is not None and branch.path.startswith(demo.demo_gc.path):
        return demo.users["demo.coso"]
    return demo.users["demo.xa"]


def _officials(unit: "Unit", on: date, exclude: set[int]) -> list[Member]:
    return [m for m in official_members(unit.org, on).order_by("pk") if m.pk not in exclude]


def _ballot(unit: "Unit", on: date, passed: bool) -> tuple[int, int]:
    base = ballot_base(unit.org, on)
    in_favour = base.needed if passed else base.needed - 1
    return in_favour, base.denominator - in_favour


def build_reviews_and_screening(demo: "Demo") -> dict[str, Any]:
    province, commune = demo.province, demo.demo_commune
    assert province is not None and commune is not None and demo.demo_branch is not None
    rng = random.Random(7)
    board = demo.users["demo.tinh"]
    year = demo.today.year
    last = year - 1
    p_last = open_period(province, by=board, kind=PeriodKind.YEARLY, year=last)
    p_this = open_period(province, by=board, kind=PeriodKind.YEARLY, year=year)
    units = [u for u in demo.units if u.org.path.startswith(commune.path)]
    demo_branch = demo.demo_branch
    exempted = set(Exemption.objects.values_list("member_id", flat=True))
    twice = _officials(demo_branch, date(last, 1, 1), exempted)[-1]

    # Last year, all done: sheets in December, decisions and publication in January.
    for unit in units:
        _sheet(
            p_last,
            unit,
            rng=rng,
            by=_branch_user(demo, unit.org),
            held_on=date(last, 12, 10) + timedelta(days=rng.randint(0, 10)),
            fail={twice.pk} if unit is demo_branch else set(),
        )
    orgs = [u.org for u in units]
    if demo.demo_gc is not None:
        orgs.append(demo.demo_gc)
    _org_ratings(demo, p_last, orgs, rng=rng, on=date(last, 12, 28))
    deciders: dict[Organisation, list[Organisation]] = {}
    for unit in units:
        deciders.setdefault(member_rating_decider(unit.org), []).append(unit.org)
    decided = 0
    for n, (decider, branches) in enumerate(deciders.items(), start=1):
        user = _decider_user(demo, decider)
        decided += _decide(
            p_last, decider, branches, by=user, on=date(year, 1, 15), number=f"{n:02d}-QĐ/ĐU"
        )
        publish_ratings(p_last, decider, by=user, published_on=date(year, 1, 25))
    close_period(p_last, by=board, closed_on=date(year, 2, 1))

    # This year: the demo chi bộ decided early (the member failing again), the other chi bộ
    # under the commune proposed, the đảng bộ cơ sở's chi bộ still self-assessing.
    held = demo.today - timedelta(days=10)
    direct = [u for u in units if member_rating_decider(u.org) == commune]
    for unit in direct:
        _sheet(
            p_this,
            unit,
            rng=rng,
            by=_branch_user(demo, unit.org),
            held_on=held,
            fail={twice.pk} if unit is demo_branch else set(),
        )
    ids = list(
        MemberReview.objects.filter(period=p_this, branch=demo_branch.org).values_list(
            "pk", flat=True
        )
    )
    decide_ratings(
        p_this,
        commune,
        by=demo.users["demo.xa"],
        decision_no="152-QĐ/ĐU",
        decided_on=demo.today - timedelta(days=3),
        items=[DecisionItem(pk) for pk in ids],
    )
    gc_units = [u for u in units if u not in direct]
    disciplined = None
    for unit in gc_units:
        lines = [line for line in sheet_rows(p_this, unit.org, on=held) if not line.exempted]
        for line in lines[: max(1, len(lines) // 2)]:
            row = _row(rng, line.member.pk, rng.choice([Rating.GOOD, Rating.GOOD, Rating.COMPLETE]))
            record_self_assessment(
                p_this,
                line.member,
                by=_branch_user(demo, unit.org),
                self_score=row.self_score or Decimal(70),
                self_rating=row.self_rating,
                assessed_on=held,
                on_time_percent=row.on_time_percent,
                beyond_percent=row.beyond_percent,
                self_comment="Chấp hành nghiêm chủ trương của Đảng, hoàn thành nhiệm vụ được giao",
            )
        if disciplined is None and len(lines) > 3:
            disciplined = lines[-1].member
            record_discipline(
                disciplined,
                by=_branch_user(demo, unit.org),
                penalty="reprimand",
                decided_on=date(year, 6, 12),
                decision_no="07-QĐ/ĐU",
                body=unit.top.name if unit.top else "",
                reason="Vi phạm quy định về sinh hoạt đảng và trách nhiệm nêu gương",
            )

    # Screening, in chi bộ other than the twice-failed member's.
    cases = 0
    others = [u for u in direct if u is not demo_branch and u.size >= 6][:3]
    used = {twice.pk} | ({disciplined.pk} if disciplined else set())
    if others:
        unit = others[0]
        ballot_on = demo.today - timedelta(days=230)
        helper, member = _officials(unit, ballot_on, used)[:2]
        used |= {helper.pk, member.pk}
        in_favour, against = _ballot(unit, ballot_on, passed=True)
        case = list_for_screening(
            member,
            by=_branch_user(demo, unit.org),
            ballot_on=ballot_on,
            in_favour=in_favour,
            against=against,
            resolution_no="05-NQ/CB",
            criteria=[Criterion.MEETINGS_DUES, Criterion.DUTIES],
            grounds="Nhiều tháng không dự sinh hoạt chi bộ, chậm đóng đảng phí, không nhận "
            "nhiệm vụ chi bộ phân công",
        )
        assign_helper(
            case,
            by=_branch_user(demo, unit.org),
            helper=helper,
            help_from=ballot_on + timedelta(days=7),
            help_until=demo.today - timedelta(days=8),
        )
        cases += 1
        # A ballot short of 2/3 in the same chi bộ: kept as history, nothing else.
        member = _officials(unit, ballot_on, used)[0]
        used.add(member.pk)
        in_favour, against = _ballot(unit, ballot_on, passed=False)
        list_for_screening(
            member,
            by=_branch_user(demo, unit.org),
            ballot_on=ballot_on,
            in_favour=in_favour,
            against=against,
            resolution_no="05-NQ/CB",
            criteria=[Criterion.ETHICS],
            grounds="Có ý kiến phản ánh về lối sống tại khu dân cư",
        )
        cases += 1
    if len(others) > 1:
        unit = others[1]
        helper, member, weak = _officials(unit, date(last, 3, 1), used)[:3]
        used |= {helper.pk, member.pk, weak.pk}
        for who, improved in ((member, True), (weak, False)):
            in_favour, against = _ballot(unit, date(last, 3, 5), passed=True)
            case = list_for_screening(
                who,
                by=_branch_user(demo, unit.org),
                ballot_on=date(last, 3, 5),
                in_favour=in_favour,
                against=against,
                resolution_no="03-NQ/CB",
                criteria=[Criterion.DUTIES] if improved else [Criterion.POLITICS],
                grounds="Ý thức tổ chức kỷ luật kém, không hoàn thành nhiệm vụ được giao"
                if improved
                else "Giảm sút ý chí phấn đấu, nhiều lần phát ngôn trái quan điểm của Đảng",
            )
            assign_helper(
                case,
                by=_branch_user(demo, unit.org),
                helper=helper,
                help_from=date(last, 3, 15),
                help_until=date(year, 3, 15),
            )
            if improved:
                record_improved(
                    case,
                    by=_branch_user(demo, unit.org),
                    on=date(year, 3, 20),
                    note="Tiến bộ rõ: sinh hoạt đều, hoàn thành nhiệm vụ được giao",
                )
            else:
                record_outcome(
                    case,
                    by=_branch_user(demo, unit.org),
                    outcome=State.PROPOSED_REMOVAL,
                    on=date(year, 3, 20),
                    note="Sau 12 tháng giáo dục, giúp đỡ không tiến bộ",
                )
            cases += 1
    return {"reviews_decided": decided, "screening_cases": cases}
