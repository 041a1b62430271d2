"""What each form's context states about a candidate or a member, and when it cannot be
written yet (issue 8, "the document contract"; DOMAIN.md §3, §10)."""

from datetime import date
from typing import Any

import pytest
from django.template import Context, Engine

from dangvien.candidates.models import (
    BackgroundCheck,
    BackgroundOutcome,
    Candidate,
    Introducer,
    Stage,
    Union,
    Vote,
)
from dangvien.core.votes import Body
from dangvien.documents.contexts import MissingData, context_for, issuing_branch, items
from dangvien.documents.contexts.base import line
from dangvien.documents.forms import FORMS, Form, find_form, forms_for
from dangvien.documents.samples import sample_context
from dangvien.documents.templating import default_text
from dangvien.factories import make_candidate, make_member, make_person, org
from dangvien.members.models import (
    Gap,
    Member,
    MemberVote,
    Mentorship,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    ReportKind,
    Status,
    Step,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import Kind, Organisation

Tree = dict[str, Organisation]
DAY = date(2026, 11, 20)

STRICT = Engine(
    autoescape=False,
    builtins=["dangvien.core.templatetags.vn"],
    string_if_invalid="«THIẾU %s»",
)


def form(code: str) -> Form:
    found = find_form(code)
    assert found is not None
    return found


def vote(candidate: Candidate, body: str, where: Organisation, **kw: Any) -> Vote:
    fields: dict[str, Any] = {
        "held_on": date(2026, 9, 12),
        "in_favour": 11,
        "against": 1,
        "denominator": 12,
        "rule": {},
        "passed": True,
        "resolution_no": "15-NQ/CB",
    }
    fields.update(kw)
    return Vote.objects.create(candidate=candidate, body=body, organisation=where, **fields)


def member_vote(proceeding: Proceeding, body: str, where: Organisation, **kw: Any) -> MemberVote:
    fields: dict[str, Any] = {
        "held_on": date(2026, 10, 28),
        "in_favour": 10,
        "against": 0,
        "denominator": 12,
        "rule": {},
        "passed": True,
        "resolution_no": "21-NQ/CB",
    }
    fields.update(kw)
    return MemberVote.objects.create(proceeding=proceeding, body=body, organisation=where, **fields)


def plain(value: Any) -> bool:
    """Only dicts, lists, str, int, bool: nothing a template could call."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return isinstance(value, str | int | bool | date)


def keys_of(value: Any, prefix: str = "") -> set[str]:
    if not isinstance(value, dict):
        return set()
    out = set()
    for key, inner in value.items():
        out.add(prefix + key)
        out |= keys_of(inner, f"{prefix}{key}.")
    return out


def filled(f: Form, context: dict[str, Any]) -> str:
    """The form's shipped template filled with ``context``; no variable may be missing."""
    text = STRICT.from_string(default_text(f)).render(Context(context))
    assert "«THIẾU" not in text, [ln for ln in text.splitlines() if "«THIẾU" in ln]
    return text


@pytest.fixture
def official(tree: Tree) -> Member:
    person = make_person(family_name="Đặng", middle_name="Văn", given_name="Hùng")
    return make_member(person=person, branch=tree["school_branch"], card_number="036185000731")


@pytest.fixture
def candidate(tree: Tree, official: Member) -> Candidate:
    """A candidate of the school's chi bộ (a grassroots đảng ủy endorses between) with
    every step up to the decision recorded."""
    person = make_person(
        family_name="Nguyễn",
        middle_name="Thị Ánh",
        given_name="Tuyết",
        sex="female",
        hometown="Xã Yên Thịnh, tỉnh Thử Nghiệm",
        address="Thôn Đông, xã An Bình",
        occupation="Giáo viên",
    )
    c = make_candidate(
        person=person,
        branch=tree["school_branch"],
        stage=Stage.ADMITTED,
        helper=official,
        course_name="Lớp nhận thức về Đảng khóa 3",
        certificate_no="342-GCN/TTCT",
        certificate_issued_on=date(2025, 3, 21),
        application_on=date(2026, 5, 5),
        declaration_on=date(2026, 5, 12),
        decision_no="127-QĐ/ĐU",
        decided_on=date(2026, 10, 5),
    )
    BackgroundCheck.objects.create(
        candidate=c, completed_on=date(2026, 8, 28), outcome=BackgroundOutcome.CLEAR
    )
    Introducer.objects.create(candidate=c, member=official, known_since=date(2023, 9, 1))
    Introducer.objects.create(
        candidate=c,
        union=Union.YOUTH_UNION,
        resolution_no="07-NQ/ĐTN",
        known_since=date(2024, 1, 1),
    )
    vote(c, Body.BRANCH, tree["school_branch"])
    vote(
        c,
        Body.GRASSROOTS,
        tree["school"],
        held_on=date(2026, 9, 25),
        in_favour=8,
        against=0,
        denominator=9,
        resolution_no="42-NQ/ĐU",
    )
    return c


@pytest.fixture
def probationary(tree: Tree, official: Member) -> Member:
    """A probationary member of the school's chi bộ with mentor, reports, recognition votes,
    both kinds of transfer and a removal proceeding recorded."""
    person = make_person(family_name="Vũ", middle_name="Thị Bích", given_name="Ngọc")
    m = make_member(
        person=person,
        branch=tree["school_branch"],
        status=Status.PROBATIONARY,
        admitted_on=date(2025, 10, 10),
        probation_started_on=date(2025, 10, 25),
        official_on=None,
        new_member_course_no="57-GCN/TTCT",
        new_member_course_on=date(2026, 3, 14),
    )
    Mentorship.objects.create(member=m, mentor=official, from_on=date(2025, 10, 25))
    ProbationReport.objects.create(
        member=m,
        kind=ReportKind.MENTOR,
        period=date(2026, 9, 1),
        filed_on=date(2026, 9, 30),
        text="Hoàn thành tốt nhiệm vụ.\n@pagebreak | **đậm**",
        author=official,
        assessment="good",
    )
    recognition = Proceeding.objects.create(
        member=m, kind=ProceedingKind.RECOGNITION, opened_on=date(2026, 10, 26)
    )
    member_vote(recognition, Body.BRANCH, tree["school_branch"])
    member_vote(
        recognition,
        Body.GRASSROOTS,
        tree["school"],
        held_on=date(2026, 11, 5),
        in_favour=9,
        denominator=9,
        resolution_no="50-NQ/ĐU",
    )
    return m


@pytest.fixture
def records(tree: Tree, probationary: Member) -> dict[str, Any]:
    """An official member with a transfer of each kind, a cancelled one, a removal
    proceeding voted by the chi bộ and a gap in party life."""
    m = make_member(
        person=make_person(family_name="Lê", middle_name="Quang", given_name="Huy"),
        branch=tree["village"],
        admitted_on=date(2010, 3, 1),
        official_on=date(2011, 3, 20),
    )
    permanent = Transfer.objects.create(
        member=m,
        kind=TransferKind.PERMANENT,
        state=TransferState.RECEIVED,
        from_branch=tree["village"],
        to_organisation=tree["other_branch"],
        letter_no="21-GGT/ĐU",
        issued_on=date(2026, 2, 2),
        present_by=date(2026, 3, 16),
        received_on=date(2026, 2, 10),
    )
    temporary = Transfer.objects.create(
        member=m,
        kind=TransferKind.TEMPORARY,
        state=TransferState.RETURNED,
        from_branch=tree["school_branch"],
        to_name="Chi bộ Học viện Chính trị khu vực I",
        for_study=True,
        letter_no="09-GGT/ĐU",
        issued_on=date(2024, 9, 1),
        present_by=date(2024, 10, 13),
        until_on=date(2025, 6, 30),
    )
    Transfer.objects.create(
        member=m,
        kind=TransferKind.TEMPORARY,
        state=TransferState.CANCELLED,
        from_branch=tree["village"],
        to_name="Hủy",
        letter_no="10-GGT/ĐU",
        issued_on=date(2025, 9, 1),
        present_by=date(2025, 10, 13),
    )
    removal = Proceeding.objects.create(
        member=m,
        kind=ProceedingKind.REMOVAL,
        opened_on=date(2026, 8, 10),
        trigger=RemovalTrigger.MISSED_MEETINGS,
        reason="Vắng sinh hoạt ba tháng | không báo cáo",
        step=Step.BRANCH_PROPOSED,
    )
    member_vote(removal, Body.BRANCH, tree["village"], resolution_no="30-NQ/CB")
    Gap.objects.create(
        member=m, from_on=date(2015, 6, 1), until_on=date(2015, 9, 30), reason="Chậm chuyển"
    )
    return {"member": m, "permanent": permanent, "temporary": temporary, "removal": removal}


# ---- every form ------------------------------------------------------------------------


def test_every_candidate_form_states_the_recorded_dossier(tree: Tree, candidate: Candidate) -> None:
    for f in forms_for("candidate"):
        if f.code == "7-KNĐ":  # no đảng ủy bộ phận above the school's chi bộ
            continue
        found = items(f, candidate)
        for key, _label in found or [("", "")]:
            context = context_for(f, candidate, item=key, on=DAY)
            assert plain(context), f.code
            assert keys_of(context) <= keys_of(sample_context(f)), f.code
            text = filled(f, context)
            assert "Nguyễn Thị Ánh Tuyết" in text, f.code


def test_every_member_form_states_the_recorded_file(
    tree: Tree, probationary: Member, records: dict[str, Any]
) -> None:
    for f in forms_for("member"):
        if f.code == "14-KNĐ":
            continue
        subject = records["member"] if f.code in ("GGT-CT", "GGT-TT", "QĐ-XT", "GXN-TĐ") else None
        subject = subject or probationary
        found = items(f, subject)
        for key, _label in found or [("", "")]:
            context = context_for(f, subject, item=key, on=DAY)
            assert plain(context), f.code
            assert keys_of(context) <= keys_of(sample_context(f)), f.code
            filled(f, context)


def test_the_sub_committee_forms_are_written_under_a_sub_committee(tree: Tree) -> None:
    sub = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận Khối Chuyên môn")
    branch = org(Kind.BRANCH, sub, name="Chi bộ Tổ Văn")
    c = make_candidate(branch=branch, stage=Stage.BRANCH_PROPOSED)
    vote(c, Body.BRANCH, branch)
    context = context_for(form("7-KNĐ"), c, on=DAY)
    assert context["header"]["issuing_body"] == "ĐẢNG ỦY BỘ PHẬN KHỐI CHUYÊN MÔN"
    assert context["header"]["parent_body"] == "ĐẢNG BỘ TRƯỜNG THPT AN BÌNH"
    assert context["header"]["number"] == "Số      -BC/ĐUBP"
    assert context["endorser"]["label"] == "Đảng ủy Trường THPT An Bình"
    filled(form("7-KNĐ"), context)

    m = make_member(
        branch=branch, status=Status.PROBATIONARY, probation_started_on=date(2025, 9, 1)
    )
    recognition = Proceeding.objects.create(
        member=m, kind=ProceedingKind.RECOGNITION, opened_on=date(2026, 9, 2)
    )
    member_vote(recognition, Body.BRANCH, branch)
    filled(form("14-KNĐ"), context_for(form("14-KNĐ"), m, on=DAY))


# ---- header, number, date, signer ----------------------------------------------------------


def test_the_decision_prints_the_deciding_committees_header_and_recorded_number(
    tree: Tree, candidate: Candidate
) -> None:
    context = context_for(form("9-KNĐ"), candidate)
    assert context["header"] == {
        "parent_body": "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "issuing_body": "ĐẢNG ỦY XÃ AN BÌNH",
        "number": "Số 127-QĐ/ĐU",
        "place_date": "An Bình, ngày 05 tháng 10 năm 2026",
        "symbol": "ĐU",
    }
    assert context["decider"]["decides_as"] == "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ AN BÌNH"
    assert context["grassroots_vote"]["resolution_no"] == "42-NQ/ĐU"
    assert context["issuer"]["on_behalf"] == "T/M BAN THƯỜNG VỤ"
    assert context["document"] == {
        "number": "127-QĐ/ĐU",
        "date": "05/10/2026",
        "date_long": "ngày 05 tháng 10 năm 2026",
        "draft": False,
    }


def test_a_number_from_the_register_wins_over_the_recorded_one(candidate: Candidate) -> None:
    context = context_for(form("9-KNĐ"), candidate, number="131-QĐ/ĐU", on=date(2026, 2, 3))
    assert context["header"]["number"] == "Số 131-QĐ/ĐU"
    assert context["header"]["place_date"] == "An Bình, ngày 03 tháng 02 năm 2026"
    assert context["today"] == "ngày 03 tháng 02 năm 2026"


def test_a_draft_keeps_the_symbol_and_leaves_the_number_blank(
    tree: Tree, candidate: Candidate
) -> None:
    candidate.stage = Stage.GRASSROOTS_ENDORSED
    candidate.decision_no = ""
    candidate.decided_on = None
    candidate.save()
    context = context_for(form("9-KNĐ"), candidate, on=DAY)
    assert context["header"]["number"] == "Số      -QĐ/ĐU"
    assert context["document"]["draft"] is True
    assert context["decision"] == {"number": "", "decided_on": ""}
    assert context["header"]["place_date"] == "An Bình, ngày 20 tháng 11 năm 2026"


def test_the_branch_resolution_prints_the_vote_it_records(candidate: Candidate) -> None:
    context = context_for(form("6-KNĐ"), candidate)
    assert context["header"]["issuing_body"] == "CHI BỘ TỔ TOÁN"
    assert context["header"]["parent_body"] == "ĐẢNG BỘ TRƯỜNG THPT AN BÌNH"
    assert context["header"]["number"] == "Số 15-NQ/CB"
    assert context["vote"]["percent"] == "91,7"
    assert context["vote"]["against_percent"] == "8,3"
    assert context["introducers"] == [
        "Đặng Văn Hùng",
        "Đoàn TNCS Hồ Chí Minh (nghị quyết số 07-NQ/ĐTN)",
    ]
    text = filled(form("6-KNĐ"), context)
    assert "CHI BỘ TỔ TOÁN QUYẾT NGHỊ" in text
    assert "Đảng ủy Trường THPT An Bình xem xét" in text


def test_a_persons_form_has_only_the_right_column_and_their_signature(
    candidate: Candidate,
) -> None:
    context = context_for(form("1-KNĐ"), candidate)
    assert context["header"]["issuing_body"] == ""
    assert context["header"]["number"] == ""
    assert context["header"]["place_date"] == "An Bình, ngày 05 tháng 5 năm 2026"
    assert context["issuer"]["name"] == "Nguyễn Thị Ánh Tuyết"
    assert context["issuer"]["title"] == "NGƯỜI LÀM ĐƠN"


def test_a_persons_form_without_a_recorded_date_leaves_dots_to_write_it(tree: Tree) -> None:
    c = make_candidate(branch=tree["village"])
    context = context_for(form("1-KNĐ"), c)
    assert context["header"]["place_date"] == "An Bình, ngày ...... tháng ...... năm ........"


def test_the_person_is_printed_as_the_contract_says(candidate: Candidate) -> None:
    person = context_for(form("2-KNĐ"), candidate)["person"]
    assert person["full_name_upper"] == "NGUYỄN THỊ ÁNH TUYẾT"
    assert person["birth_date"] == "17/05/1995"
    assert person["sex"] == "Nữ"
    assert person["education"] == "Trung học phổ thông"


def test_the_introducers_letter_is_signed_by_the_introducer(
    candidate: Candidate, official: Member
) -> None:
    [(key, label)] = items(form("3-KNĐ"), candidate)
    row = Introducer.objects.get(candidate=candidate, member=official)
    assert key == f"introducer:{row.pk}"
    assert label == "Người giới thiệu: Đặng Văn Hùng"
    context = context_for(form("3-KNĐ"), candidate, item=key)
    assert context["issuer"]["name"] == "Đặng Văn Hùng"
    assert context["introducer"]["known_since"] == "01/09/2023"
    assert context["introducer"]["admitted_on"] == "01/03/2010"


def test_the_union_resolution_lists_only_union_introducers(candidate: Candidate) -> None:
    [(key, label)] = items(form("4-KNĐ"), candidate)
    assert key.startswith("union_introducer:")
    assert label == "Đoàn TNCS Hồ Chí Minh (nghị quyết 07-NQ/ĐTN)"
    context = context_for(form("4-KNĐ"), candidate, item=key)
    assert context["header"]["number"] == "Số 07-NQ/ĐTN"
    assert context["issuer"]["on_behalf"] == "T/M BAN CHẤP HÀNH"


def test_a_removed_introducer_is_not_an_item(candidate: Candidate) -> None:
    Introducer.objects.filter(candidate=candidate, member__isnull=False).update(active=False)
    assert items(form("3-KNĐ"), candidate) == []


def test_a_one_per_subject_form_has_no_items(candidate: Candidate) -> None:
    assert items(form("9-KNĐ"), candidate) == []


def test_transfer_letters_list_their_own_kind_without_cancelled_ones(
    tree: Tree, records: dict[str, Any]
) -> None:
    m = records["member"]
    assert items(form("GGT-CT"), m) == [
        (
            f"transfer:{records['permanent'].pk}",
            "Số 21-GGT/ĐU ngày 02/02/2026 – đến Chi bộ thôn Tây",
        )
    ]
    assert [key for key, _ in items(form("GGT-TT"), m)] == [f"transfer:{records['temporary'].pk}"]


def test_a_transfer_letter_comes_from_the_committee_above_the_chi_bo_left(
    tree: Tree, records: dict[str, Any]
) -> None:
    temporary = records["temporary"]
    context = context_for(form("GGT-TT"), records["member"], item=f"transfer:{temporary.pk}")
    assert context["header"]["issuing_body"] == "ĐẢNG ỦY TRƯỜNG THPT AN BÌNH"
    assert context["header"]["number"] == "Số 09-GGT/ĐU"
    assert context["transfer"]["for_study"] == "Có"
    assert context["transfer"]["until_on"] == "30/06/2025"
    assert context["branch"]["name"] == "Chi bộ Tổ Toán"
    key = f"transfer:{temporary.pk}"
    assert issuing_branch(form("GGT-TT"), records["member"], key) == tree["school_branch"]
    assert issuing_branch(form("GGT-TT"), records["member"]) == tree["village"]


def test_the_removal_decision_states_the_grounds_safely(records: dict[str, Any]) -> None:
    removal = records["removal"]
    [(key, _label)] = items(form("QĐ-XT"), records["member"])
    assert key == f"proceeding:{removal.pk}"
    context = context_for(form("QĐ-XT"), records["member"], item=key)
    assert context["proceeding"]["reason"] == "Vắng sinh hoạt ba tháng / không báo cáo"
    assert context["branch_vote"]["resolution_no"] == "30-NQ/CB"
    assert context["header"]["number"] == "Số      -QĐ/ĐU"


def test_party_age_subtracts_the_gaps(records: dict[str, Any]) -> None:
    context = context_for(form("GXN-TĐ"), records["member"], on=DAY)
    assert context["party_age"]["years"] == 16
    assert context["party_age"]["gaps"] == [
        {"from_on": "01/06/2015", "until_on": "30/09/2015", "reason": "Chậm chuyển"}
    ]


def test_monthly_reports_are_items_and_their_text_cannot_inject_markup(
    probationary: Member,
) -> None:
    [(key, label)] = items(form("BC-DB"), probationary)
    assert label == "Tháng 09/2026 – Nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)"
    context = context_for(form("BC-DB"), probationary, item=key)
    assert context["report"]["paragraphs"] == ["Hoàn thành tốt nhiệm vụ.", "pagebreak / đậm"]
    assert context["issuer"]["name"] == "Đặng Văn Hùng"
    assert "\n@pagebreak" not in filled(form("BC-DB"), context)


def test_user_text_is_one_safe_markup_line() -> None:
    assert line("  @sign a || b\n*x*  ") == "sign a // b x"
    assert line("# Tiêu đề") == "Tiêu đề"
    assert line(None) == ""


def test_the_recognition_decision_dates_official_membership_from_the_end_of_probation(
    probationary: Member,
) -> None:
    context = context_for(form("16-KNĐ"), probationary, on=DAY)
    assert context["member"]["probation_ends_on"] == "25/10/2026"
    assert context["grassroots_vote"]["resolution_no"] == "50-NQ/ĐU"
    assert "kể từ ngày 25/10/2026" in filled(form("16-KNĐ"), context)


def test_a_form_of_the_other_kind_of_subject_is_refused(
    candidate: Candidate, probationary: Member
) -> None:
    with pytest.raises(ValueError):
        context_for(form("13-KNĐ"), candidate)
    with pytest.raises(ValueError):
        context_for(form("6-KNĐ"), probationary)


# ---- missing data ----------------------------------------------------------------------


def missing(f: str, subject: Any, item: str = "") -> str:
    with pytest.raises(MissingData) as raised:
        context_for(form(f), subject, item=item, on=DAY)
    return raised.value.message


def test_the_branch_resolution_needs_the_branch_vote(tree: Tree) -> None:
    c = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    assert missing("6-KNĐ", c) == "Chưa ghi kết quả biểu quyết của chi bộ đề nghị kết nạp."
    assert missing("9-KNĐ", c) == "Chưa ghi kết quả biểu quyết của chi bộ đề nghị kết nạp."


def test_a_failed_branch_vote_gives_no_resolution(tree: Tree) -> None:
    c = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    vote(c, Body.BRANCH, tree["village"], in_favour=5, against=7, passed=False)
    assert missing("6-KNĐ", c).startswith("Chi bộ biểu quyết chưa đạt tỷ lệ đề nghị kết nạp")


def test_the_decision_needs_the_grassroots_resolution_where_one_sits_between(
    tree: Tree,
) -> None:
    c = make_candidate(branch=tree["school_branch"], stage=Stage.BRANCH_PROPOSED)
    vote(c, Body.BRANCH, tree["school_branch"])
    message = "Chưa ghi kết quả biểu quyết của đảng ủy cơ sở đề nghị kết nạp."
    assert missing("8-KNĐ", c) == message
    assert missing("9-KNĐ", c) == message


def test_the_decision_is_drafted_from_the_branch_vote_alone_without_an_endorser(
    tree: Tree,
) -> None:
    c = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    vote(c, Body.BRANCH, tree["village"], resolution_no="03-NQ/CB")
    context = context_for(form("9-KNĐ"), c, on=DAY)
    assert context["grassroots_vote"]["held_on"] == ""
    assert "và Nghị quyết" not in filled(form("9-KNĐ"), context)


def test_no_decision_is_drafted_once_the_committee_refused(
    tree: Tree, candidate: Candidate
) -> None:
    candidate.stage = Stage.REJECTED
    candidate.save()
    assert missing("9-KNĐ", candidate) == "Cấp ủy đã quyết định không kết nạp người này."


def test_forms_of_bodies_that_do_not_exist_are_not_applicable(tree: Tree) -> None:
    c = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    vote(c, Body.BRANCH, tree["village"])
    assert missing("7-KNĐ", c) == (
        "Chi bộ không trực thuộc đảng ủy bộ phận: hồ sơ không có mẫu 7-KNĐ."
    )
    assert missing("8-KNĐ", c).startswith("Không có đảng ủy cơ sở xét giữa chi bộ")


def test_the_certificate_needs_its_number(tree: Tree) -> None:
    c = make_candidate(branch=tree["village"])
    assert missing("CN-NTVĐ", c) == (
        "Chưa ghi giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng."
    )


def test_per_item_forms_need_an_existing_item(candidate: Candidate) -> None:
    assert missing("3-KNĐ", candidate) == "Chưa chọn người giới thiệu."
    assert missing("3-KNĐ", candidate, "introducer:999999") == (
        "Không có người giới thiệu này trong hồ sơ."
    )
    union_key = items(form("4-KNĐ"), candidate)[0][0]
    assert missing("3-KNĐ", candidate, union_key.replace("union_", "")) == (
        "Không có người giới thiệu này trong hồ sơ."
    )


def test_recognition_forms_need_the_probation_started(tree: Tree) -> None:
    m = make_member(branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=None)
    assert missing("10-KNĐ", m) == "Chưa có ngày lễ kết nạp: thời kỳ dự bị chưa bắt đầu."


def test_the_mentors_report_needs_a_mentor(tree: Tree) -> None:
    m = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2025, 11, 1)
    )
    assert missing("11-KNĐ", m) == "Chưa phân công đảng viên giúp đỡ đảng viên dự bị."


def test_the_recognition_resolution_needs_the_branch_vote(tree: Tree) -> None:
    m = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2025, 11, 1)
    )
    message = "Chưa ghi kết quả biểu quyết của chi bộ đề nghị công nhận đảng viên chính thức."
    assert missing("13-KNĐ", m) == message
    assert missing("16-KNĐ", m) == message


def test_the_new_member_certificate_needs_its_number(tree: Tree) -> None:
    m = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    assert missing("GCN-ĐVM", m) == (
        "Chưa ghi giấy chứng nhận học lớp bồi dưỡng lý luận chính trị cho đảng viên mới."
    )


def test_no_recognition_decision_once_the_committee_refused(probationary: Member) -> None:
    Proceeding.objects.filter(member=probationary).update(step=Step.DECIDED, outcome=False)
    assert missing("16-KNĐ", probationary) == (
        "Cấp ủy đã quyết định không công nhận đảng viên chính thức."
    )


def test_the_removal_decision_needs_the_branch_vote(tree: Tree) -> None:
    m = make_member(branch=tree["village"])
    p = Proceeding.objects.create(member=m, kind=ProceedingKind.REMOVAL, opened_on=date(2026, 9, 1))
    assert missing("QĐ-XT", m, f"proceeding:{p.pk}") == (
        "Chưa ghi kết quả biểu quyết của chi bộ đề nghị xóa tên."
    )


def test_a_probationary_member_has_no_party_age_to_certify(probationary: Member) -> None:
    assert missing("GXN-TĐ", probationary).startswith("Đảng viên chưa được công nhận chính thức")


def test_every_form_has_a_builder() -> None:
    from dangvien.documents.contexts import admission, members

    codes = set(admission.BUILDERS) | set(members.BUILDERS) | {"GGT-CT", "GGT-TT", "GXN-TĐ"}
    assert codes == {f.code for f in FORMS}


def test_a_real_context_renders_to_pdf_and_docx(candidate: Candidate) -> None:
    from dangvien.documents.render import render

    context = context_for(form("9-KNĐ"), candidate, on=DAY)
    assert render(form("9-KNĐ"), context, "pdf").startswith(b"%PDF-")
    assert render(form("9-KNĐ"), context, "docx").startswith(b"PK")
