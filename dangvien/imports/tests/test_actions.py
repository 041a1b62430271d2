"""Imports: upload, mapping, dry run, the all-or-nothing commit and the idempotent
re-import (issue 8). Tasks run at once (ImmediateBackend, settings_test)."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate, StageChange
from dangvien.core.errors import Conflict, NotAllowed, NotEligible
from dangvien.core.models import RuleParameter
from dangvien.factories import make_candidate, make_member, make_person, user_with_role
from dangvien.imports import actions
from dangvien.imports.models import ImportKind, JobState
from dangvien.imports.reading import UnreadableFile
from dangvien.imports.tests.helpers import (
    CANDIDATE_HEADER,
    MEMBER_HEADER,
    candidate_row,
    checked,
    committed,
    member_row,
    problems,
    uploaded,
    xlsx_upload,
)
from dangvien.members.models import Member, Status, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person

MEMBERS, CANDIDATES = ImportKind.MEMBERS, ImportKind.CANDIDATES


@pytest.fixture(autouse=True)
def uploads_dir(settings: Any, tmp_path: Any) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


def members_job(tree: dict[str, Organisation], staff: User, rows: list[list[str]]) -> Any:
    return uploaded(MEMBERS, tree["commune"], staff, MEMBER_HEADER, rows)


def database_counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Member.objects.count(),
        StatusChange.objects.count(),
        Candidate.objects.count(),
    )


# ---- upload and mapping ---------------------------------------------------------------


def test_an_upload_reads_the_header_and_proposes_the_mapping(tree, staff):
    job = members_job(tree, staff, [member_row(1)])
    assert job.headers == MEMBER_HEADER
    assert job.mapping[:4] == ["full_name", "birth_date", "sex", "citizen_id"]
    assert job.mapping[6] == "branch" and job.mapping[-1] == "card_number"
    assert job.state == JobState.UPLOADED and job.file_format == "csv"


def test_headers_are_matched_without_diacritics_and_by_synonyms(tree, staff):
    header = ["HO VA TEN", "ngày tháng năm sinh", "Giới tính", "CCCD", "Học vấn", "Mã chi bộ"]
    header += ["Trạng thái", "Ngày vào Đảng", "Ngày chính thức"]
    job = uploaded(MEMBERS, tree["commune"], staff, header, [])
    assert job.mapping == [
        "full_name",
        "birth_date",
        "sex",
        "citizen_id",
        "education_level",
        "branch",
        "status",
        "admitted_on",
        "official_on",
    ]


def test_an_xlsx_file_is_read_by_its_content_with_date_cells(tree, staff):
    row: list[Any] = member_row(1)
    row[1] = date(1980, 3, 5)
    job = actions.create_job(
        MEMBERS, tree["commune"], xlsx_upload(MEMBER_HEADER, [row], name="x.bin"), by=staff
    )
    assert job.file_format == "xlsx"
    job = checked(job, staff)
    assert job.error_count == 0 and job.planned_added == 1


def test_a_csv_with_commas_and_no_bom_is_read(tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = [",".join(MEMBER_HEADER), ",".join(member_row(1))]
    upload = SimpleUploadedFile("a.csv", "\n".join(lines).encode())
    job = checked(actions.create_job(MEMBERS, tree["commune"], upload, by=staff), staff)
    assert job.error_count == 0 and job.total_rows == 1


def test_a_csv_that_is_not_utf8_is_refused_with_a_clear_message(tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.csv", "Tên;Ngày sinh\n".encode("cp1258"))
    with pytest.raises(UnreadableFile, match="UTF-8"):
        actions.create_job(MEMBERS, tree["commune"], upload, by=staff)


def test_a_csv_with_a_foreign_byte_far_below_its_header_is_refused_at_upload(tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvien.imports.models import ImportJob

    rows = [",".join(MEMBER_HEADER)] + [",".join(member_row(n)) for n in range(1, 400)]
    data = "\n".join(rows).encode() + "\nĐăng".encode("cp1258")
    assert len(data) > 8192
    with pytest.raises(UnreadableFile, match=r"UTF-8.*byte thứ"):
        actions.create_job(MEMBERS, tree["commune"], SimpleUploadedFile("a.csv", data), by=staff)
    assert not ImportJob.objects.exists()


def test_a_mapping_without_a_required_field_is_refused(tree, staff):
    job = members_job(tree, staff, [member_row(1)])
    mapping = list(job.mapping)
    mapping[3] = ""
    with pytest.raises(NotEligible, match="trường bắt buộc “Số CCCD”"):
        actions.set_mapping(job, mapping, by=staff)


def test_a_field_chosen_for_two_columns_is_refused(tree, staff):
    job = members_job(tree, staff, [member_row(1)])
    mapping = list(job.mapping)
    mapping[5] = "full_name"
    with pytest.raises(NotEligible, match="được chọn cho hai cột"):
        actions.set_mapping(job, mapping, by=staff)


def test_a_changed_mapping_needs_a_new_dry_run(tree, staff):
    job = checked(members_job(tree, staff, [member_row(1)]), staff)
    mapping = list(job.mapping)
    mapping[5] = ""  # ignore "Dân tộc"
    job = actions.set_mapping(job, mapping, by=staff)
    assert job.state == JobState.UPLOADED
    with pytest.raises(Conflict, match="chạy kiểm tra"):
        actions.start_commit(job, by=staff)


def test_a_secretary_cannot_import_into_another_branch(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotAllowed):
        uploaded(MEMBERS, tree["school_branch"], secretary, MEMBER_HEADER, [member_row(1)])


def test_only_the_organisation_board_imports_the_tree(tree, staff):
    with pytest.raises(NotAllowed, match="cây tổ chức"):
        uploaded(ImportKind.ORGANISATIONS, tree["commune"], staff, ["Mã", "Tên", "Loại"], [])


def test_a_leader_may_not_import(tree):
    leader = user_with_role(Role.LEADER, tree["province"])
    with pytest.raises(NotAllowed):
        members_job(tree, leader, [member_row(1)])


# ---- the dry run ----------------------------------------------------------------------


def test_the_dry_run_reports_each_row_problem_in_vietnamese(tree, staff):
    rows = [
        member_row(1),
        member_row(2, birth="31/02/1990"),
        member_row(3, cid="12345"),
        member_row(4, branch="Chi bộ Không Có"),
        member_row(5, branch="Chi bộ thôn Tây"),
        member_row(6, sex="Khác"),
        member_row(1, name="Lê Văn Trùng"),
        member_row(8, birth="01/01/1990", admitted="01/06/2007", ceremony="", official=""),
        member_row(9, status="Dự bị", ceremony="", official=""),
    ]
    job = checked(members_job(tree, staff, rows), staff)
    found = problems(job)
    assert job.state == JobState.CHECKED
    assert "Dòng 3, Ngày sinh: “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy)." in found
    assert (
        "Dòng 4, Số CCCD: “12345” không phải 12 chữ số (Excel làm mất số 0 ở đầu: định dạng "
        "cột là văn bản)." in found
    )
    assert (
        "Dòng 5, Chi bộ: không tìm thấy chi bộ “Chi bộ Không Có” trong Đảng bộ xã An Bình." in found
    )
    assert "Dòng 6, Chi bộ: “Chi bộ thôn Tây” ngoài phạm vi Đảng bộ xã An Bình." in found
    assert "Dòng 7, Giới tính: “Khác” không hợp lệ: chọn “Nam” hoặc “Nữ”." in found
    assert "Dòng 2, Số CCCD: số CCCD 000000000001 trùng với dòng 8." in found
    assert "Dòng 8, Số CCCD: số CCCD 000000000001 trùng với dòng 2." in found
    assert any(
        p.startswith("Dòng 9, Ngày kết nạp: chưa đủ 18 tuổi vào ngày kết nạp 01/06/2007")
        for p in found
    )
    assert "Dòng 9, Ngày chính thức: đảng viên chính thức phải có ngày chính thức." in found
    assert any(p.startswith("Dòng 10, Ngày lễ kết nạp: đảng viên dự bị phải có") for p in found)
    assert job.error_rows == 9 and job.total_rows == 9
    assert Person.objects.count() == 0  # a dry run writes nothing


def test_the_age_rule_is_a_parameter(tree, staff):
    RuleParameter.objects.create(
        key="admission.min_age_months", value=20 * 12, effective_from=date(2000, 1, 1)
    )
    rows = [member_row(1, birth="01/01/1986", admitted="01/06/2005", ceremony="20/06/2005")]
    job = checked(members_job(tree, staff, rows), staff)
    assert "chưa đủ 20 tuổi" in problems(job)[0]


def test_a_branch_is_found_by_its_code(tree, staff):
    Organisation.objects.filter(pk=tree["village"].pk).update(code="CB-DONG")
    job = checked(members_job(tree, staff, [member_row(1, branch="cb-dong")]), staff)
    assert job.error_count == 0


def test_importing_someone_already_a_member_as_a_candidate_is_a_row_problem(tree, staff):
    member = make_member(branch=tree["village"])
    person = member.person
    row = candidate_row(
        1,
        cid=person.citizen_id,
        name=person.full_name,
        birth=f"{person.birth_date:%d/%m/%Y}",
    )
    job = checked(uploaded(CANDIDATES, tree["commune"], staff, CANDIDATE_HEADER, [row]), staff)
    assert problems(job) == [f"Dòng 2, Số CCCD: {person.full_name} đã là đảng viên."]


def test_a_citizen_id_of_someone_else_is_refused(tree, staff):
    person = make_member(branch=tree["school_branch"], person__citizen_id="000000000001").person
    job = checked(members_job(tree, staff, [member_row(1)]), staff)
    assert problems(job) == [
        f"Dòng 2, Số CCCD: số CCCD 000000000001 đã thuộc về {person.full_name}, sinh ngày "
        "17/05/1995; kiểm tra lại số CCCD, họ tên và ngày sinh."
    ]


def test_a_citizen_id_held_outside_the_import_scope_is_refused_without_naming_the_holder(tree):
    member = make_member(branch=tree["other_branch"])
    other = member.person
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    for row in (
        member_row(1, cid=other.citizen_id),
        member_row(
            2,
            cid=other.citizen_id,
            name=other.full_name,
            birth=f"{other.birth_date:%d/%m/%Y}",
            admitted="01/01/2024",
            ceremony="20/01/2024",
            official="20/01/2025",
        ),
    ):
        job = uploaded(MEMBERS, tree["village"], secretary, MEMBER_HEADER, [row])
        job = checked(job, secretary)
        text = " ".join(problems(job))
        assert "ngoài phạm vi nhập" in text
        assert other.full_name not in text
        assert f"{other.birth_date:%d/%m/%Y}" not in text
        assert "Chi bộ thôn Tây" not in text


def test_a_person_with_no_record_in_scope_is_refused_without_naming_them(tree, staff):
    person = make_person(citizen_id="000000000001")
    job = checked(members_job(tree, staff, [member_row(1)]), staff)
    assert problems(job) == [
        "Dòng 2, Số CCCD: số CCCD đã có trong hệ thống ở đơn vị ngoài phạm vi nhập; liên hệ "
        "cấp trên để chuyển sinh hoạt / kiểm tra."
    ]
    assert person.full_name not in problems(job)[0]


def test_a_card_number_used_outside_the_import_scope_is_refused_without_saying_whose(tree, staff):
    make_member(branch=tree["other_branch"], card_number="12345678")
    job = checked(members_job(tree, staff, [member_row(1, card="12345678")]), staff)
    assert problems(job) == ["Dòng 2, Số thẻ đảng viên: số thẻ đảng viên đã được dùng."]


def test_a_member_of_another_branch_is_not_moved_by_an_import(tree, staff):
    member = make_member(branch=tree["school_branch"])
    p = member.person
    row = member_row(
        1,
        cid=p.citizen_id,
        name=p.full_name,
        birth=f"{p.birth_date:%d/%m/%Y}",
        admitted="01/01/2015",
        ceremony="20/01/2015",
        official="20/01/2016",
    )
    job = checked(members_job(tree, staff, [row]), staff)
    assert "đang sinh hoạt tại Chi bộ Tổ Toán" in problems(job)[0]


def test_a_candidate_younger_than_the_minimum_age_is_a_row_problem(tree, staff):
    row = candidate_row(1, birth="01/06/2010", listed="15/01/2026")
    job = checked(uploaded(CANDIDATES, tree["commune"], staff, CANDIDATE_HEADER, [row]), staff)
    assert problems(job) == [
        "Dòng 2, Ngày sinh: chưa đủ 18 tuổi vào ngày đưa vào nguồn 15/01/2026 "
        "(Điều lệ Đảng Điều 4)."
    ]


def test_a_file_over_the_row_limit_is_refused_as_a_whole(tree, staff):
    RuleParameter.objects.create(key="import.max_rows", value=2, effective_from=date(2000, 1, 1))
    job = checked(members_job(tree, staff, [member_row(n) for n in range(1, 4)]), staff)
    assert problems(job) == [
        "Tệp: tệp có 3 dòng, quá 2 dòng cho một lần nhập; chia thành nhiều tệp."
    ]


# ---- the commit ------------------------------------------------------------------------


def test_the_commit_writes_every_row_with_a_history_row(tree, staff):
    rows = [
        member_row(1),
        member_row(
            2, status="Dự bị", official="", ceremony="20/02/2026", admitted="03/02/2026", card="123"
        ),
    ]
    job = committed(checked(members_job(tree, staff, rows), staff), staff)
    assert job.state == JobState.DONE
    assert (job.added, job.updated, job.unchanged) == (2, 0, 0)
    probationary = Member.objects.get(person__citizen_id="000000000002")
    assert probationary.status == Status.PROBATIONARY and probationary.card_number == "123"
    assert probationary.recognition_vote_due_on is not None
    assert probationary.org_path == tree["village"].path
    official = Member.objects.get(person__citizen_id="000000000001")
    assert official.official_on == date(2006, 2, 20) and official.first_admitted_on == date(
        2005, 2, 3
    )
    notes = list(StatusChange.objects.values_list("note", "by"))
    assert notes == [("Nhập từ tệp danh-sach.csv", staff.pk)] * 2
    person = official.person
    assert person.full_name == "Nguyễn Văn Anh1" and person.search_text.startswith("nguyen van")
    assert (official.search_text, official.sort_key) == (person.search_text, person.sort_key)


def test_the_commit_is_refused_while_the_dry_run_has_errors(tree, staff):
    job = checked(members_job(tree, staff, [member_row(1), member_row(2, sex="?")]), staff)
    with pytest.raises(Conflict, match="còn 1 lỗi ở 1 dòng"):
        actions.start_commit(job, by=staff)


def test_the_commit_is_refused_before_any_dry_run(tree, staff):
    job = members_job(tree, staff, [member_row(1)])
    with pytest.raises(Conflict, match="chạy kiểm tra"):
        actions.start_commit(job, by=staff)


def test_an_error_on_the_last_row_leaves_the_database_unchanged(tree, staff, monkeypatch):
    """All or nothing: the last batch written fails, and every row before it is undone."""
    make_member(branch=tree["village"])
    before = database_counts()
    rows = [member_row(n) for n in range(1, 6)]
    job = checked(members_job(tree, staff, rows), staff)
    real = actions.save_batch

    def failing(model: Any, batch: list[Any]) -> None:
        if model is StatusChange:  # the last write of the commit
            raise RuntimeError("ổ đĩa đầy")
        real(model, batch)

    monkeypatch.setattr(actions, "save_batch", failing)
    job = committed(job, staff)
    assert job.state == JobState.FAILED
    assert "Không có dữ liệu nào được ghi" in job.message
    assert database_counts() == before


def test_a_rule_refusing_in_the_background_is_told_in_one_sentence(tree, staff, monkeypatch):
    """The rule's message ends in a full stop; the job's message does not double it."""
    job = members_job(tree, staff, [member_row(1)])

    def refusing(*args: Any, **kwargs: Any) -> None:
        raise Conflict("Tệp đã bị thay đổi.")

    monkeypatch.setattr(actions, "make_plan", refusing)
    job = checked(job, staff)
    assert job.state == JobState.FAILED
    assert job.message == "Lỗi khi kiểm tra: Tệp đã bị thay đổi. Không có dữ liệu nào được ghi."


def test_data_changed_since_the_dry_run_stops_the_commit_and_writes_nothing(tree, staff):
    rows = [member_row(n) for n in range(1, 4)]
    job = checked(members_job(tree, staff, rows), staff)
    make_person(citizen_id="000000000003")  # someone else took the last row's CCCD
    before = database_counts()
    job = committed(job, staff)
    assert job.state == JobState.CHECKED and job.error_count == 1
    assert "đã thay đổi" in job.message
    assert database_counts() == before


def test_re_importing_the_same_file_changes_nothing(tree, staff):
    rows = [member_row(n) for n in range(1, 6)]
    committed(checked(members_job(tree, staff, rows), staff), staff)
    before = database_counts()
    again = committed(checked(members_job(tree, staff, rows), staff), staff)
    assert again.state == JobState.DONE
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert database_counts() == before


def test_a_row_with_new_details_updates_the_person_and_says_so(tree, staff):
    rows = [member_row(n) for n in range(1, 4)]
    committed(checked(members_job(tree, staff, rows), staff), staff)
    rows[1] = member_row(2, eth="Tày", card="555")
    again = committed(checked(members_job(tree, staff, rows), staff), staff)
    assert (again.planned_added, again.planned_updated, again.planned_unchanged) == (0, 1, 2)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 2)
    member = Member.objects.get(person__citizen_id="000000000002")
    assert member.person.ethnicity == "Tày" and member.card_number == "555"
    last = member.changes.last()
    assert last is not None and last.note == (
        "Nhập từ tệp danh-sach.csv: cập nhật dân tộc, số thẻ đảng viên"
    )


def test_empty_cells_do_not_blank_out_recorded_details(tree, staff):
    make_member(branch=tree["village"])  # unrelated
    rows = [member_row(1, eth="Tày")]
    committed(checked(members_job(tree, staff, rows), staff), staff)
    again = committed(checked(members_job(tree, staff, [member_row(1, eth="")]), staff), staff)
    assert again.unchanged == 1
    assert Person.objects.get(citizen_id="000000000001").ethnicity == "Tày"


def test_a_member_record_that_differs_is_not_rewritten_by_an_import(tree, staff):
    committed(checked(members_job(tree, staff, [member_row(1)]), staff), staff)
    job = checked(members_job(tree, staff, [member_row(1, admitted="04/02/2005")]), staff)
    assert problems(job) == [
        "Dòng 2, Số CCCD: khác với hồ sơ đang có (ngày kết nạp); sửa trên trang đảng viên, "
        "không qua nhập tệp."
    ]


def test_candidates_are_imported_once_with_a_history_row(tree, staff):
    rows = [candidate_row(n) for n in range(1, 4)]
    job = committed(
        checked(uploaded(CANDIDATES, tree["commune"], staff, CANDIDATE_HEADER, rows), staff),
        staff,
    )
    assert job.added == 3
    candidate = Candidate.objects.get(person__citizen_id="000000000001")
    assert candidate.listed_on == date(2026, 1, 15) and candidate.person.youth_union_member
    assert candidate.sort_key == candidate.person.sort_key != ""
    assert StageChange.objects.filter(note="Nhập từ tệp danh-sach.csv").count() == 3
    again = committed(
        checked(uploaded(CANDIDATES, tree["commune"], staff, CANDIDATE_HEADER, rows), staff),
        staff,
    )
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert Candidate.objects.count() == 3


def test_a_candidate_followed_by_another_branch_is_a_row_problem(tree, staff):
    candidate = make_candidate(branch=tree["school_branch"])
    p = candidate.person
    row = candidate_row(1, cid=p.citizen_id, name=p.full_name, birth=f"{p.birth_date:%d/%m/%Y}")
    job = checked(uploaded(CANDIDATES, tree["commune"], staff, CANDIDATE_HEADER, [row]), staff)
    assert problems(job) == ["Dòng 2, Chi bộ: đang được Chi bộ Tổ Toán theo dõi."]


# ---- the organisation tree -------------------------------------------------------------

ORG_HEADER = ["Mã", "Tên", "Loại", "Mã cấp trên", "Loại hình", "Số cấp ủy viên"]


@pytest.fixture
def board(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def test_the_organisation_tree_is_imported_parent_first_and_idempotently(tree, board):
    rows = [
        ["X1", "Đảng bộ xã Tân Tiến", "Đảng bộ xã", "", "", "15"],
        ["X1-CB1", "Chi bộ thôn Một", "Chi bộ", "X1", "", ""],
        ["X1-DB", "Đảng bộ Công ty Sông Hồng", "Đảng bộ cơ sở", "X1", "Doanh nghiệp nhà nước", "7"],
        ["X1-DB-CB", "Chi bộ Phân xưởng", "chi bo", "X1-DB", "", ""],
    ]
    job = committed(
        checked(
            uploaded(ImportKind.ORGANISATIONS, tree["province"], board, ORG_HEADER, rows), board
        ),
        board,
    )
    assert job.state == JobState.DONE and job.added == 4
    company = Organisation.objects.get(code="X1-DB")
    branch = Organisation.objects.get(code="X1-DB-CB")
    assert branch.parent_id == company.pk and branch.path.startswith(company.path)
    assert company.sector == "state_enterprise" and branch.sector == "state_enterprise"
    rows[1][1] = "Chi bộ thôn 1"
    again = committed(
        checked(
            uploaded(ImportKind.ORGANISATIONS, tree["province"], board, ORG_HEADER, rows), board
        ),
        board,
    )
    assert (again.added, again.updated, again.unchanged) == (0, 1, 3)
    assert Organisation.objects.get(code="X1-CB1").name == "Chi bộ thôn 1"


def test_an_organisation_row_breaking_the_tree_rules_is_a_row_problem(tree, board):
    rows = [
        ["A", "Chi bộ A", "Chi bộ", "", "", ""],
        ["B", "Đảng bộ xã B", "Đảng bộ xã", "A", "", ""],
        ["A", "Chi bộ A lặp", "Chi bộ", "", "", ""],
        ["C", "Chi bộ C", "Chi bộ", "KHONGCO", "", ""],
    ]
    job = checked(
        uploaded(ImportKind.ORGANISATIONS, tree["commune"], board, ORG_HEADER, rows), board
    )
    found = problems(job)
    assert "Dòng 3, Loại: không thể đặt Đảng bộ xã / phường / đặc khu dưới Chi bộ." in found
    assert "Dòng 4, Mã: mã “A” trùng với dòng 2." in found
    assert any(p.startswith("Dòng 5, Mã cấp trên: không tìm thấy mã “KHONGCO”") for p in found)


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_and_not_kept(tree, staff, monkeypatch):
    from dangvien.imports import reading
    from dangvien.imports.tests.helpers import xlsx_upload

    monkeypatch.setattr(reading, "MAX_XLSX_UNPACKED", 1000)
    upload = xlsx_upload(MEMBER_HEADER, [member_row(n) for n in range(1, 50)])
    with pytest.raises(UnreadableFile, match="giải nén quá lớn"):
        actions.create_job(MEMBERS, tree["commune"], upload, by=staff)
    assert not actions.ImportJob.objects.exists()


def test_a_queue_that_refuses_the_task_leaves_the_job_failed_not_stuck_queued(
    tree, staff, monkeypatch
):
    from dangvien.imports import tasks

    class Refusing:
        def enqueue(self, job_id: int) -> None:
            raise ConnectionError("queue down")

    job = members_job(tree, staff, [member_row(1)])
    monkeypatch.setattr(tasks, "check_import", Refusing())
    job = actions.start_dry_run(job, by=staff)
    assert job.state == JobState.FAILED
    assert "hàng đợi" in job.message
    monkeypatch.undo()
    job = checked(job, staff)  # a failed job may be run again
    assert job.state == JobState.CHECKED
