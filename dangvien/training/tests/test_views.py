"""Wiring of the training pages: login, scope (404), role (403), answers, flat query
counts. The rules themselves are in test_actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.auditlog.models import AccessEvent
from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_candidate, user_with_role
from dangvien.training.models import (
    Attendance,
    Certificate,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Result,
)
from dangvien.training.tests.factories import attend, enrol, make_course, staff, today

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _closed_with_certificate(tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    candidate = make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    e = enrol(course, candidate, mark=Decimal("8"))
    attend(e, 1)
    from dangvien.training.actions import close_course

    close_course(course, first_number=1, issued_on=today(), by=None)
    return course, Certificate.objects.get()


def test_pages_ask_for_login(client):
    response = client.get("/boi-duong/")
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_a_course_outside_the_users_subtree_answers_404_on_every_page(client, tree):
    course = make_course(tree["other_commune"], status=CourseStatus.RUNNING, sessions=1)
    client.force_login(staff(tree["commune"]))
    for suffix in ("", "sua/", "ghi-danh/", "diem-danh/", "diem/", "ket-thuc/"):
        assert client.get(f"/boi-duong/{course.pk}/{suffix}").status_code == 404, suffix
    assert client.post(f"/boi-duong/{course.pk}/bat-dau/").status_code == 404


def test_a_certificate_outside_the_users_subtree_answers_404(client, tree):
    _course, certificate = _closed_with_certificate(tree)
    client.force_login(staff(tree["other_commune"]))
    assert client.get(f"/boi-duong/giay-chung-nhan/{certificate.pk}/").status_code == 404
    assert client.get(f"/boi-duong/giay-chung-nhan/{certificate.pk}/in/").status_code == 404


def test_a_branch_secretary_sees_their_peoples_course_read_only(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    mine = enrol(course, make_candidate(branch=tree["village"], person__given_name="An"))
    enrol(course, make_candidate(branch=tree["clinic"], person__given_name="Bình"))
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(f"/boi-duong/{course.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert mine.person.full_name in body and "Nguyễn Văn Bình" not in body
    assert "Ghi danh học viên" not in body
    assert client.get(f"/boi-duong/{course.pk}/diem-danh/").status_code == 403
    response = client.post(f"/boi-duong/{course.pk}/ghi-danh/", {"pick": ["1"]})
    assert response.status_code == 403


def test_a_leader_may_not_open_a_course(client, tree):
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.get("/boi-duong/moi/").status_code == 403


def test_staff_open_a_course_with_the_rules_defaults(client, tree):
    client.force_login(staff(tree["commune"]))
    page = client.get("/boi-duong/moi/")
    assert "điểm đạt 5,00" in page.content.decode()
    response = client.post(
        "/boi-duong/moi/",
        {
            "kind": "awareness",
            "name": "Lớp nhận thức khóa I",
            "organiser": tree["commune"].pk,
            "starts_on": today().strftime("%d/%m/%Y"),
            "ends_on": (today() + timedelta(days=5)).strftime("%d/%m/%Y"),
            "pass_mark": "",
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/boi-duong/{course.pk}/"
    assert course.pass_mark == Decimal("5") and course.min_attendance_percent == 80


def test_the_course_form_answers_400_with_its_message_for_bad_dates(client, tree):
    client.force_login(staff(tree["commune"]))
    response = client.post(
        "/boi-duong/moi/",
        {
            "kind": "awareness",
            "name": "Lớp",
            "organiser": tree["commune"].pk,
            "starts_on": "10/03/2026",
            "ends_on": "01/03/2026",
        },
    )
    assert response.status_code == 400
    assert "Ngày bế giảng phải sau ngày khai giảng" in response.content.decode()
    assert not Course.objects.exists()


def test_the_enrolment_page_enrols_many_and_names_each_refusal(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING)
    ready = make_candidate(branch=tree["village"], person__given_name="An")
    late = make_candidate(
        branch=tree["village"], person__given_name="Bình", stage=Stage.BRANCH_PROPOSED
    )
    client.force_login(staff(tree["commune"]))
    page = client.get(f"/boi-duong/{course.pk}/ghi-danh/")
    assert page.status_code == 200 and f'value="{ready.pk}"' in page.content.decode()
    response = client.post(f"/boi-duong/{course.pk}/ghi-danh/", {"pick": [ready.pk, late.pk]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Không ghi danh được 1 người" in body
    assert "Nguyễn Văn Bình đang ở bước “Chi bộ đề nghị kết nạp”" in body
    assert Candidate.objects.get(pk=ready.pk).stage == Stage.IN_AWARENESS_COURSE
    all_done = client.post(f"/boi-duong/{course.pk}/ghi-danh/", {"pick": []})
    assert all_done.status_code == 400


def test_the_enrolment_filter_answers_the_list_partial_for_htmx(client, tree):
    course = make_course(tree["commune"])
    make_candidate(branch=tree["village"], person__given_name="An")
    client.force_login(staff(tree["commune"]))
    response = client.get(
        f"/boi-duong/{course.pk}/ghi-danh/", {"q": "nguyen van an"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="picks">')
    assert "Nguyễn Văn An" in body


def test_starting_a_course_from_its_page(client, tree):
    course = make_course(tree["commune"])
    candidate = make_candidate(branch=tree["village"])
    enrol(course, candidate)
    client.force_login(staff(tree["commune"]))
    response = client.post(f"/boi-duong/{course.pk}/bat-dau/")
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.IN_AWARENESS_COURSE


def test_a_refused_start_answers_409_with_the_reason(client, tree):
    course = make_course(tree["commune"])
    enrol(course, make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN))
    client.force_login(staff(tree["commune"]))
    response = client.post(f"/boi-duong/{course.pk}/bat-dau/")
    assert response.status_code == 409
    assert "Không thể bắt đầu lớp" in response.content.decode()


def test_sessions_are_added_and_a_bad_one_is_refused_on_the_course_page(client, tree):
    course = make_course(tree["commune"])
    client.force_login(staff(tree["commune"]))
    day = course.starts_on.strftime("%d/%m/%Y")
    ok = client.post(f"/boi-duong/{course.pk}/buoi-hoc/", {"held_on": day, "topic": "Điều lệ"})
    assert ok.status_code == 302 and course.sessions.count() == 1
    outside = (course.ends_on + timedelta(days=3)).strftime("%d/%m/%Y")
    bad = client.post(f"/boi-duong/{course.pk}/buoi-hoc/", {"held_on": outside, "topic": "X"})
    assert bad.status_code == 409
    assert "Ngày học phải trong thời gian của lớp" in bad.content.decode()


def test_the_attendance_grid_saves_every_cell_at_once(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=2)
    first, second = course.sessions.order_by("held_on")
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    client.force_login(staff(tree["commune"]))
    assert client.get(f"/boi-duong/{course.pk}/diem-danh/").status_code == 200
    response = client.post(f"/boi-duong/{course.pk}/diem-danh/", {f"p_{first.pk}_{e.pk}": "on"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("session_id", "present")) == {
        first.pk: True,
        second.pk: False,
    }


def test_the_marks_grid_takes_a_comma_and_refuses_a_bad_mark(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    client.force_login(staff(tree["commune"]))
    response = client.post(f"/boi-duong/{course.pk}/diem/", {f"mark_{e.pk}": "7,5"})
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=e.pk).mark == Decimal("7.50")
    page = client.get(f"/boi-duong/{course.pk}/diem/")
    assert 'value="7,50"' in page.content.decode()
    bad = client.post(f"/boi-duong/{course.pk}/diem/", {f"mark_{e.pk}": "11"})
    assert bad.status_code == 400
    assert "Điểm phải là một số từ 0 đến 10" in bad.content.decode()


def test_closing_from_the_page_certifies_and_a_refusal_answers_409(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    candidate = make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    e = enrol(course, candidate)
    attend(e, 1)
    client.force_login(staff(tree["commune"]))
    data = {
        "first_number": "5",
        "pattern": "{n}-CN/TTCT",
        "issued_on": today().strftime("%d/%m/%Y"),
    }
    missing = client.post(f"/boi-duong/{course.pk}/ket-thuc/", data)
    assert missing.status_code == 409
    assert "Chưa nhập điểm cho: Nguyễn Văn" in missing.content.decode()
    Enrolment.objects.filter(pk=e.pk).update(mark=Decimal("6"))
    assert client.get(f"/boi-duong/{course.pk}/ket-thuc/").status_code == 200
    response = client.post(f"/boi-duong/{course.pk}/ket-thuc/", data)
    assert response.status_code == 302
    assert Certificate.objects.get().number == "5-CN/TTCT"
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CERTIFIED
    page = client.get(f"/boi-duong/{course.pk}/")
    assert "Giấy CN số 5-CN/TTCT" in page.content.decode()


def test_withdrawing_a_learner_from_the_course_page(client, tree):
    course = make_course(tree["commune"], status=CourseStatus.RUNNING)
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    client.force_login(staff(tree["commune"]))
    url = f"/boi-duong/{course.pk}/hoc-vien/{e.pk}/thoi-hoc/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Đi làm xa"}).status_code == 302
    assert Enrolment.objects.get(pk=e.pk).result == Result.WITHDRAWN


def test_the_certificate_page_and_its_pdf(client, tree):
    _course, certificate = _closed_with_certificate(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(f"/boi-duong/giay-chung-nhan/{certificate.pk}/")
    assert page.status_code == 200 and "Còn hạn" in page.content.decode()
    pdf = client.get(f"/boi-duong/giay-chung-nhan/{certificate.pk}/in/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("inline;")


def test_printing_a_certificate_is_logged_against_its_holder(client, tree):
    """A certificate names a person: printing it is a download of personal data (issue 9)."""
    _course, certificate = _closed_with_certificate(tree)
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    client.force_login(user)
    client.get(f"/boi-duong/giay-chung-nhan/{certificate.pk}/in/")
    (event,) = AccessEvent.objects.all()
    assert (event.kind, event.person_id, event.user_id) == (
        "download",
        certificate.person_id,
        user.pk,
    )
    assert event.org_path == certificate.issuer.path


def test_the_course_list_filters_and_keeps_a_flat_query_count(client, tree):
    user = staff(tree["province"])
    client.force_login(user)
    make_course(tree["commune"], name="Lớp A")
    first = _queries(client, "/boi-duong/")
    for i in range(5):
        course = make_course(tree["other_commune"], name=f"Lớp {i}", sessions=2)
        enrol(course, make_candidate(branch=tree["other_branch"]))
    assert _queries(client, "/boi-duong/") == first
    filtered = client.get("/boi-duong/", {"kind": CourseKind.NEW_MEMBER})
    assert "Không có lớp nào phù hợp" in filtered.content.decode()
    htmx = client.get("/boi-duong/", {"q": "Lớp A"}, HTTP_HX_REQUEST="true")
    assert htmx.content.decode().lstrip().startswith('<div id="results">')


def test_the_certificate_list_keeps_a_flat_query_count(client, tree):
    _closed_with_certificate(tree)
    client.force_login(staff(tree["commune"]))
    first = _queries(client, "/boi-duong/giay-chung-nhan/")
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1, name="Khóa II")
    for _ in range(4):
        e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
        attend(e, 1)
        Enrolment.objects.filter(pk=e.pk).update(mark=Decimal("9"))
    from dangvien.training.actions import close_course

    close_course(course, first_number=10, issued_on=today(), by=None)
    assert _queries(client, "/boi-duong/giay-chung-nhan/") == first
    found = client.get("/boi-duong/giay-chung-nhan/", {"q": "1-cn/ttct", "status": "valid"})
    assert "1-CN/TTCT" in found.content.decode()
