"""The course and certificate lists export all their filtered rows to XLSX and CSV
(issue 8); the certificates' validity is computed per row as on the page."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from dangvien.candidates.models import Stage
from dangvien.core.dates import add_months
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_candidate, make_person
from dangvien.training import views
from dangvien.training.actions import close_course
from dangvien.training.models import Certificate, CourseKind, CourseStatus
from dangvien.training.tests.factories import attend, enrol, make_course, staff, today

pytestmark = pytest.mark.django_db

COURSES = "/boi-duong/"
CERTIFICATES = "/boi-duong/giay-chung-nhan/"


def _courses(tree):
    for n in range(3):
        make_course(
            tree["commune"],
            name=f"Lớp nhận thức khóa {n + 1}",
            starts_on=date(2026, 3, n + 1),
            ends_on=date(2026, 3, n + 10),
        )
    make_course(tree["commune"], kind=CourseKind.NEW_MEMBER, name="Lớp đảng viên mới")
    make_course(tree["other_commune"], name="Lớp xã khác")


def test_the_course_csv_holds_every_filtered_course_not_just_the_page(client, tree, monkeypatch):
    _courses(tree)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(staff(tree["commune"]))
    params = {"kind": CourseKind.AWARENESS, "organisation": tree["commune"].pk, "page": 2}
    rows = csv_rows(client.get(COURSES, {**params, "export": "csv"}))
    assert rows[0] == [c.title for c in views.COURSE_COLUMNS]
    assert [r[0] for r in rows[1:]] == [
        "Lớp nhận thức khóa 3",
        "Lớp nhận thức khóa 2",
        "Lớp nhận thức khóa 1",
    ]
    assert rows[1][1:3] == ["Nhận thức về Đảng", "Đảng bộ xã An Bình"]
    assert rows[1][5:7] == ["03/03/2026", "12/03/2026"]


def test_the_course_xlsx_names_the_filters_and_keeps_dates_as_dates(client, tree):
    _courses(tree)
    client.force_login(staff(tree["commune"]))
    response = client.get(COURSES, {"q": "khóa", "year": "2026", "export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[0][0] == "Lớp bồi dưỡng"
    assert sheet[2][0] == "Lọc: Tên lớp: khóa; Năm: 2026"
    rows = xlsx_rows(response)
    assert rows[0][:4] == ["Tên lớp", "Loại lớp", "Đơn vị tổ chức", "Cơ sở đào tạo"]
    assert len(rows) == 1 + 3
    assert rows[1][5] == datetime(2026, 3, 3)
    assert rows[1][7:10] == [0, 0, None]  # sessions, learners; no passes before closing


def test_the_course_export_stays_inside_the_users_scope(client, tree):
    _courses(tree)
    client.force_login(staff(tree["commune"]))
    rows = csv_rows(client.get(COURSES, {"export": "csv"}))
    assert len(rows) == 1 + 4 and not any(r[0] == "Lớp xã khác" for r in rows)
    outside = {"organisation": tree["other_commune"].pk, "export": "csv"}
    assert client.get(COURSES, outside).status_code == 404
    page = client.get(COURSES, {"kind": CourseKind.AWARENESS}).content.decode()
    assert "/boi-duong/?kind=awareness&amp;export=csv" in page


def _certified(organiser, branch, names, issued_on, first=1):
    """A closed course with a certificate for each name, re-dated to ``issued_on``."""
    course = make_course(organiser, status=CourseStatus.RUNNING, sessions=1)
    for name in names:
        candidate = make_candidate(
            branch=branch,
            stage=Stage.IN_AWARENESS_COURSE,
            person=make_person(family_name="Vũ", given_name=name),
        )
        attend(enrol(course, candidate, mark=Decimal("8")), 1)
    close_course(course, first_number=first, issued_on=today(), by=None)
    Certificate.objects.filter(enrolment__course=course).update(issued_on=issued_on)
    return course


def test_the_certificate_csv_holds_every_filtered_certificate_with_its_validity(
    client, tree, monkeypatch
):
    _certified(tree["commune"], tree["village"], ["An", "Bình", "Chi"], today())
    _certified(tree["commune"], tree["village"], ["Cũ"], date(2019, 1, 10), first=10)
    _certified(tree["other_commune"], tree["other_branch"], ["Ngoài"], today())
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(staff(tree["commune"]))
    rows = csv_rows(client.get(CERTIFICATES, {"status": "valid", "export": "csv"}))
    assert sorted(r[1] for r in rows[1:]) == ["Vũ Văn An", "Vũ Văn Bình", "Vũ Văn Chi"]
    until = add_months(today(), 60)
    assert {(r[7], r[8]) for r in rows[1:]} == {(f"{until:%d/%m/%Y}", "Còn hạn")}
    expired = csv_rows(client.get(CERTIFICATES, {"status": "expired", "export": "csv"}))
    assert [(r[1], r[6], r[8]) for r in expired[1:]] == [("Vũ Văn Cũ", "10/01/2019", "Đã hết hạn")]


def test_the_certificate_xlsx_has_its_heads_and_computed_expiry_as_a_date(client, tree):
    _certified(tree["commune"], tree["village"], ["An"], date(2025, 1, 31))
    client.force_login(staff(tree["commune"]))
    response = client.get(CERTIFICATES, {"q": "vu van an", "export": "xlsx"})
    assert xlsx_sheet(response)[2][0] == "Lọc: Tên hoặc số giấy: vu van an"
    rows = xlsx_rows(response)
    assert rows[0] == [
        "Số",
        "Họ và tên",
        "Ngày sinh",
        "Loại lớp",
        "Lớp",
        "Đơn vị cấp",
        "Ngày cấp",
        "Hiệu lực đến",
        "Hiệu lực",
    ]
    assert rows[1][6:9] == [datetime(2025, 1, 31), datetime(2030, 1, 31), "Còn hạn"]


def test_the_certificate_export_never_holds_a_certificate_outside_the_scope(client, tree):
    _certified(tree["commune"], tree["village"], ["An"], today())
    _certified(tree["other_commune"], tree["other_branch"], ["Ngoài"], today())
    client.force_login(staff(tree["commune"]))
    rows = csv_rows(client.get(CERTIFICATES, {"export": "csv"}))
    assert [r[1] for r in rows[1:]] == ["Vũ Văn An"]
    page = client.get(CERTIFICATES).content.decode()
    assert "/boi-duong/giay-chung-nhan/?export=csv" in page
