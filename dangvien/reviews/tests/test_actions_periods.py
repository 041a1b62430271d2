"""Opening and closing review periods (366-QĐ/TW [C]: yearly, quarterly, per term, ad hoc;
a member is reviewed once a year)."""

from datetime import date

import pytest

from dangvien.accounts.models import Role, User
from dangvien.core.errors import Conflict, NotAllowed, NotEligible, StageNotAllowed
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions import close_period, open_period
from dangvien.reviews.models import PeriodKind

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 20)


@pytest.fixture
def board(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def test_a_yearly_period_covers_the_calendar_year(
    tree: dict[str, Organisation], board: User
) -> None:
    period = open_period(tree["province"], by=board, kind=PeriodKind.YEARLY, year=2026)
    assert (period.starts_on, period.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period.name == "Kiểm điểm, đánh giá, xếp loại chất lượng năm 2026"
    assert period.org_path == tree["province"].path
    assert period.by == board


def test_a_quarterly_period_covers_its_quarter(tree: dict[str, Organisation], board: User) -> None:
    period = open_period(tree["commune"], by=board, kind=PeriodKind.QUARTERLY, year=2026, quarter=3)
    assert (period.starts_on, period.ends_on) == (date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(NotEligible, match="Quý phải từ 1 đến 4") as error:
        open_period(tree["commune"], by=board, kind=PeriodKind.QUARTERLY, year=2026, quarter=5)
    assert error.value.field == "quarter"


def test_a_term_period_needs_its_dates(tree: dict[str, Organisation], board: User) -> None:
    with pytest.raises(NotEligible, match="Cần ghi ngày bắt đầu"):
        open_period(tree["commune"], by=board, kind=PeriodKind.TERM, year=2025)
    period = open_period(
        tree["commune"],
        by=board,
        kind=PeriodKind.TERM,
        year=2025,
        name="Kiểm điểm nhiệm kỳ 2020–2025",
        starts_on=date(2020, 10, 1),
        ends_on=date(2025, 9, 30),
    )
    assert period.name == "Kiểm điểm nhiệm kỳ 2020–2025"
    with pytest.raises(NotEligible, match="trước ngày bắt đầu"):
        open_period(
            tree["commune"],
            by=board,
            kind=PeriodKind.AD_HOC,
            year=2026,
            starts_on=date(2026, 5, 1),
            ends_on=date(2026, 4, 1),
        )


def test_a_second_yearly_period_for_the_same_year_is_refused_above_and_below(
    tree: dict[str, Organisation], board: User
) -> None:
    open_period(tree["commune"], by=board, kind=PeriodKind.YEARLY, year=2026)
    for node in ("province", "commune", "school"):
        with pytest.raises(Conflict, match="mỗi đảng viên chỉ được kiểm điểm"):
            open_period(tree[node], by=board, kind=PeriodKind.YEARLY, year=2026)
    # Another subtree, another year, or a quarterly period are fine.
    open_period(tree["other_commune"], by=board, kind=PeriodKind.YEARLY, year=2026)
    open_period(tree["commune"], by=board, kind=PeriodKind.YEARLY, year=2025)
    open_period(tree["commune"], by=board, kind=PeriodKind.QUARTERLY, year=2026, quarter=4)


def test_the_refusal_says_whether_the_clash_is_above_below_or_the_same_node(
    tree: dict[str, Organisation], board: User
) -> None:
    open_period(tree["commune"], by=board, kind=PeriodKind.YEARLY, year=2026)
    once = "mỗi đảng viên chỉ được kiểm điểm, xếp loại một lần mỗi năm (366-QĐ/TW [C])."
    opened = "kỳ kiểm điểm, đánh giá năm 2026 (“Kiểm điểm, đánh giá, xếp loại chất lượng năm 2026”)"
    expected = {
        "commune": f"Đảng bộ xã An Bình đã mở {opened}: {once}",
        "school": (
            f"Cấp trên là Đảng bộ xã An Bình đã mở {opened} cho cả Đảng bộ Trường THPT An Bình: "
            f"các chi bộ, đảng viên của Đảng bộ Trường THPT An Bình kiểm điểm trong kỳ đó; {once}"
        ),
        "province": (
            f"Cấp dưới là Đảng bộ xã An Bình đã mở {opened}: mở kỳ tại Tỉnh ủy Thử Nghiệm sẽ "
            f"kiểm điểm hai lần các đảng viên của Đảng bộ xã An Bình; {once}"
        ),
    }
    for node, message in expected.items():
        with pytest.raises(Conflict) as error:
            open_period(tree[node], by=board, kind=PeriodKind.YEARLY, year=2026)
        assert str(error.value) == message


def test_a_chi_bo_opens_no_yearly_or_quarterly_period_only_term_or_ad_hoc(
    tree: dict[str, Organisation], board: User
) -> None:
    for node in ("village", "clinic", "school_branch"):
        for kind, quarter in ((PeriodKind.YEARLY, None), (PeriodKind.QUARTERLY, 2)):
            with pytest.raises(NotEligible) as error:
                open_period(tree[node], by=board, kind=kind, year=2026, quarter=quarter)
            assert error.value.field == "kind"
            assert str(error.value) == (
                f"{tree[node].name} không mở kỳ kiểm điểm, đánh giá hằng năm, hằng quý: kỳ đó "
                "do cấp ủy cấp trên (đảng bộ xã, huyện, tỉnh) hoặc đảng ủy cơ sở mở cho cả "
                "đảng bộ. Tổ chức này chỉ mở được kỳ theo nhiệm kỳ hoặc đột xuất."
            )
    # The province's year stays open for everyone.
    open_period(tree["province"], by=board, kind=PeriodKind.YEARLY, year=2026)
    open_period(
        tree["clinic"],
        by=board,
        kind=PeriodKind.AD_HOC,
        year=2026,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 30),
    )


def test_term_and_ad_hoc_dates_are_bounded(tree: dict[str, Organisation], board: User) -> None:
    cases = [
        (
            PeriodKind.TERM,
            2025,
            date(2020, 1, 1),
            date(2025, 1, 1),
            "ends_on",
            "Kỳ đánh giá theo nhiệm kỳ (01/01/2020–01/01/2025) dài quá 5 năm (một nhiệm kỳ "
            "đại hội, Điều lệ Đảng [U]).",
        ),
        (
            PeriodKind.TERM,
            2026,
            date(2020, 10, 1),
            date(2025, 9, 30),
            "year",
            "Kỳ đánh giá theo nhiệm kỳ (01/10/2020–30/09/2025) phải kết thúc trong năm 2026.",
        ),
        (
            PeriodKind.AD_HOC,
            2026,
            date(2026, 11, 1),
            date(2027, 1, 31),
            "ends_on",
            "Kỳ đánh giá đột xuất (01/11/2026–31/01/2027) phải nằm trong năm 2026.",
        ),
        (
            PeriodKind.AD_HOC,
            2026,
            date(2025, 12, 1),
            date(2026, 1, 31),
            "starts_on",
            "Kỳ đánh giá đột xuất (01/12/2025–31/01/2026) phải nằm trong năm 2026.",
        ),
        (
            PeriodKind.AD_HOC,
            2027,
            date(2027, 1, 1),
            date(9999, 12, 31),
            "ends_on",
            "Ngày kết thúc kỳ đánh giá không thể sau 20/12/2027 (quá một năm kể từ hôm nay).",
        ),
        (
            PeriodKind.TERM,
            2026,
            date(1, 1, 1),
            date(2026, 1, 1),
            "starts_on",
            "Ngày bắt đầu kỳ đánh giá không thể trước 01/01/1900.",
        ),
    ]
    for kind, year, starts_on, ends_on, field, message in cases:
        with pytest.raises(NotEligible) as error:
            open_period(
                tree["commune"],
                by=board,
                kind=kind,
                year=year,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        assert (error.value.field, str(error.value)) == (field, message)


def test_opening_needs_decide_at_the_node(tree: dict[str, Organisation]) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotAllowed):
        open_period(tree["village"], by=secretary, kind=PeriodKind.YEARLY, year=2026)
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    with pytest.raises(NotAllowed):
        open_period(tree["province"], by=staff, kind=PeriodKind.YEARLY, year=2026)


def test_a_year_too_far_ahead_is_refused(tree: dict[str, Organisation], board: User) -> None:
    with pytest.raises(NotEligible, match="Năm đánh giá phải từ 2000 đến 2027"):
        open_period(tree["province"], by=board, kind=PeriodKind.YEARLY, year=2028)


def test_closing_a_period_once(tree: dict[str, Organisation], board: User) -> None:
    period = open_period(tree["province"], by=board, kind=PeriodKind.YEARLY, year=2026)
    with pytest.raises(NotEligible, match="sau ngày hôm nay"):
        close_period(period, by=board, closed_on=date(2026, 12, 21))
    close_period(period, by=board, closed_on=TODAY)
    period.refresh_from_db()
    assert period.closed_on == TODAY
    with pytest.raises(StageNotAllowed, match="đã kết thúc"):
        close_period(period, by=board, closed_on=TODAY)
