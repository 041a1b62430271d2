"""Courses, enrolments and certificates over JSON: scope (404), role (403), rules (409),
bad input (400), the answers' shape and the OpenAPI schema."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import Answer, Api
from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Member, Status
from dangvien.training.models import Attendance, Certificate, CourseKind, CourseStatus, Enrolment
from dangvien.training.tests.factories import attend, days_ago, enrol, make_course, staff, today

pytestmark = pytest.mark.django_db


def _send(api: Api, method: str, path: str, body: Any) -> Answer:
    response = getattr(api.client, method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=api.headers
    )
    return Answer(response.status_code, json.loads(response.content) if response.content else None)


def put(api: Api, path: str, body: Any) -> Answer:
    return _send(api, "put", path, body)


def patch(api: Api, path: str, body: Any) -> Answer:
    return _send(api, "patch", path, body)


def _new_course(tree: Any, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "awareness",
        "name": "Lớp bồi dưỡng nhận thức về Đảng khóa I",
        "organiser_id": tree["commune"].pk,
        "organiser_name": "Trung tâm Chính trị xã An Bình",
        "starts_on": days_ago(20).isoformat(),
        "ends_on": days_ago(1).isoformat(),
        "lecturers": "Nguyễn Văn A\nTrần Thị B",
        **changes,
    }


# ---- courses ---------------------------------------------------------------------------


def test_staff_open_a_course_with_the_rules_defaults(as_user: Any, tree: Any) -> None:
    answer = as_user(staff(tree["commune"])).post("/courses", _new_course(tree))
    assert answer.status == 201
    body = answer.body
    assert body["status"] == "planned" and body["status_label"] == "Đang chuẩn bị"
    assert body["pass_mark"] == 5.0 and body["min_attendance_percent"] == 80
    assert body["lecturers"] == ["Nguyễn Văn A", "Trần Thị B"]
    assert body["can_manage"] is True


def test_a_branch_secretary_may_not_open_a_course(as_user: Any, tree: Any, secretary: Any) -> None:
    answer = as_user(secretary).post("/courses", _new_course(tree))
    assert answer.status == 404  # the commune lies above the secretary's subtree
    answer = as_user(secretary).post("/courses", _new_course(tree, organiser_id=tree["village"].pk))
    assert answer.status == 403


def test_a_leader_sees_courses_but_may_not_change_them(
    as_user: Any, tree: Any, leader: Any
) -> None:
    course = make_course(tree["commune"])
    assert as_user(leader).get(f"/courses/{course.pk}").status == 200
    answer = patch(as_user(leader), f"/courses/{course.pk}", {"name": "Tên mới"})
    assert answer.status == 403 and answer.error["code"] == "forbidden"


def test_a_course_outside_the_users_subtree_is_not_found(as_user: Any, tree: Any) -> None:
    course = make_course(tree["other_commune"], status=CourseStatus.RUNNING, sessions=1)
    api = as_user(staff(tree["commune"]))
    assert api.get(f"/courses/{course.pk}").status == 404
    assert api.get(f"/courses/{course.pk}/enrolments").status == 404
    assert api.post(f"/courses/{course.pk}/start").status == 404
    assert put(api, f"/courses/{course.pk}/marks", []).status == 404
    assert api.get("/courses").body["count"] == 0


def test_bad_input_answers_400_with_the_field(as_user: Any, tree: Any) -> None:
    api = as_user(staff(tree["commune"]))
    answer = api.post("/courses", _new_course(tree, starts_on="01/03/2026", kind="other"))
    assert answer.status == 400
    assert {"starts_on", "kind"} <= set(answer.error["fields"])


def test_a_rule_refusal_answers_409_with_its_message(as_user: Any, tree: Any) -> None:
    api = as_user(staff(tree["commune"]))
    answer = api.post("/courses", _new_course(tree, ends_on=days_ago(30).isoformat()))
    assert answer.status == 409
    assert answer.error["fields"]["ends_on"] == "Ngày bế giảng phải sau ngày khai giảng."


def test_a_course_is_corrected_with_patch_and_listed_with_filters(as_user: Any, tree: Any) -> None:
    api = as_user(staff(tree["commune"]))
    course_id = api.post("/courses", _new_course(tree)).body["id"]
    answer = patch(api, f"/courses/{course_id}", {"venue": "Hội trường xã", "pass_mark": 6.5})
    assert answer.status == 200
    assert answer.body["venue"] == "Hội trường xã" and answer.body["pass_mark"] == 6.5
    listed = api.get("/courses", kind="awareness", status="planned", year=days_ago(20).year)
    assert listed.body["count"] == 1 and listed.body["items"][0]["id"] == course_id
    assert api.get("/courses", kind="new_member").body["count"] == 0


# ---- the whole course ------------------------------------------------------------------


def test_a_course_from_enrolment_to_certificates(as_user: Any, tree: Any) -> None:
    api = as_user(staff(tree["commune"]))
    course_id = api.post("/courses", _new_course(tree)).body["id"]
    for offset in (20, 15, 10):
        answer = api.post(
            f"/courses/{course_id}/sessions",
            {"held_on": days_ago(offset).isoformat(), "topic": f"Chuyên đề {offset}"},
        )
        assert answer.status == 201
    an = make_candidate(branch=tree["village"], person__given_name="An")
    binh = make_candidate(branch=tree["clinic"], person__given_name="Bình")
    outside = make_candidate(branch=tree["other_branch"], person__given_name="Cúc")
    late = make_candidate(
        branch=tree["village"], person__given_name="Dung", stage=Stage.BRANCH_PROPOSED
    )
    answer = api.post(
        f"/courses/{course_id}/enrolments",
        {"candidate_ids": [an.pk, binh.pk, outside.pk, late.pk]},
    )
    assert answer.status == 200
    assert (answer.body["enrolled"], answer.body["refused"]) == (2, 2)
    reasons = {r["candidate_id"]: r["reason"] for r in answer.body["results"]}
    assert reasons[an.pk] == "" and reasons[binh.pk] == ""
    assert "Không tìm thấy" in reasons[outside.pk]  # outside the user's scope: not revealed
    assert "Chi bộ đề nghị kết nạp" in reasons[late.pk]

    started = api.post(f"/courses/{course_id}/start")
    assert started.status == 200 and started.body["status"] == "running"
    assert Candidate.objects.get(pk=an.pk).stage == Stage.IN_AWARENESS_COURSE

    sessions = [s["id"] for s in started.body["sessions"]]
    enrolments = {
        e["candidate_id"]: e["id"]
        for e in api.get(f"/courses/{course_id}/enrolments").body["items"]
    }
    cells = [
        {"session_id": s, "enrolment_id": enrolments[an.pk], "present": True} for s in sessions
    ] + [{"session_id": sessions[0], "enrolment_id": enrolments[binh.pk], "present": True}]
    answer = put(api, f"/courses/{course_id}/attendance", cells)
    assert answer.status == 200
    rows = {e["id"]: e for e in answer.body["items"]}
    assert rows[enrolments[an.pk]]["attended"] == 3
    assert rows[enrolments[binh.pk]]["attendance_percent"] == 33.3

    answer = put(
        api,
        f"/courses/{course_id}/marks",
        [
            {"enrolment_id": enrolments[an.pk], "mark": "7.555"},
            {"enrolment_id": enrolments[binh.pk], "mark": 9},
        ],
    )
    assert {e["id"]: e["mark"] for e in answer.body["items"]}[enrolments[an.pk]] == 7.56

    answer = api.post(
        f"/courses/{course_id}/close",
        {"first_number": 125, "pattern": "{n}-CN/TTCT", "issued_on": today().isoformat()},
    )
    assert answer.status == 200
    assert (answer.body["passed"], answer.body["failed"]) == (1, 1)
    [certificate] = answer.body["certificates"]
    assert certificate["number"] == "125-CN/TTCT" and certificate["status"] == "valid"
    assert answer.body["course"]["status"] == "closed"
    candidate = Candidate.objects.get(pk=an.pk)
    assert candidate.stage == Stage.CERTIFIED and candidate.certificate_no == "125-CN/TTCT"

    found = api.get("/certificates", q="nguyen van an", kind="awareness", status="valid")
    assert [c["number"] for c in found.body["items"]] == ["125-CN/TTCT"]
    one = api.get(f"/certificates/{certificate['id']}")
    assert one.status == 200 and one.body["candidate_id"] == an.pk


def test_a_new_member_course_takes_member_ids_and_writes_the_certificate_on_the_member(
    as_user: Any, tree: Any
) -> None:
    course = make_course(
        tree["commune"], kind=CourseKind.NEW_MEMBER, status=CourseStatus.RUNNING, sessions=1
    )
    member = make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        admitted_on=days_ago(100),
        probation_started_on=days_ago(90),
        official_on=None,
    )
    api = as_user(staff(tree["commune"]))
    wrong = api.post(f"/courses/{course.pk}/enrolments", {"candidate_ids": [1]})
    assert wrong.status == 400 and "candidate_ids" in wrong.error["fields"]
    answer = api.post(f"/courses/{course.pk}/enrolments", {"member_ids": [member.pk]})
    assert answer.body["results"][0]["enrolled"] is True
    e = Enrolment.objects.get()
    attend(e, 1)
    Enrolment.objects.filter(pk=e.pk).update(mark=Decimal("8"))
    closed = api.post(
        f"/courses/{course.pk}/close", {"first_number": 3, "issued_on": today().isoformat()}
    )
    assert closed.status == 200
    assert Member.objects.get(pk=member.pk).new_member_course_no == "3-CN/TTCT"


def test_withdrawing_an_enrolment_needs_a_reason(as_user: Any, tree: Any) -> None:
    course = make_course(tree["commune"], status=CourseStatus.RUNNING)
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    api = as_user(staff(tree["commune"]))
    path = f"/courses/{course.pk}/enrolments/{e.pk}/withdraw"
    assert api.post(path, {}).status == 400
    answer = api.post(path, {"reason": "Chuyển đi nơi khác"})
    assert answer.status == 200 and answer.body["result"] == "withdrawn"
    again = api.post(path, {"reason": "Lần nữa"})
    assert again.status == 409 and again.error["code"] == "stage_not_allowed"


def test_attendance_for_a_session_not_yet_held_is_refused_and_nothing_is_written(
    as_user: Any, tree: Any
) -> None:
    course = make_course(
        tree["commune"], status=CourseStatus.RUNNING, ends_on=today() + timedelta(days=5)
    )
    from dangvien.training.models import Session

    held = Session.objects.create(course=course, held_on=days_ago(3), topic="Đã học")
    later = Session.objects.create(course=course, held_on=today() + timedelta(days=2), topic="Sau")
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    answer = put(
        as_user(staff(tree["commune"])),
        f"/courses/{course.pk}/attendance",
        [
            {"session_id": held.pk, "enrolment_id": e.pk, "present": True},
            {"session_id": later.pk, "enrolment_id": e.pk, "present": True},
        ],
    )
    assert answer.status == 409 and "chưa diễn ra" in answer.error["message"]
    assert not Attendance.objects.exists()


def test_closing_refused_for_a_withdrawn_candidate_changes_nothing(as_user: Any, tree: Any) -> None:
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    e = enrol(
        course,
        make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN, person__given_name="An"),
        mark=Decimal("9"),
    )
    attend(e, 1)
    answer = as_user(staff(tree["commune"])).post(
        f"/courses/{course.pk}/close", {"first_number": 1, "issued_on": today().isoformat()}
    )
    assert answer.status == 409
    assert "Nguyễn Văn An" in answer.error["message"]
    assert not Certificate.objects.exists()


def test_a_certificate_outside_the_users_subtree_is_not_found(as_user: Any, tree: Any) -> None:
    course = make_course(tree["commune"], status=CourseStatus.RUNNING, sessions=1)
    e = enrol(course, make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    attend(e, 1)
    Enrolment.objects.filter(pk=e.pk).update(mark=Decimal("9"))
    from dangvien.training.actions import close_course

    close_course(course, first_number=1, issued_on=today(), by=None)
    certificate = Certificate.objects.get()
    outsider = as_user(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.get(f"/certificates/{certificate.pk}").status == 404
    assert outsider.get("/certificates").body["count"] == 0
    secretary = as_user(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert secretary.get("/certificates", person=e.person_id).body["count"] == 1


def test_the_schema_lists_the_training_endpoints(client: Any, db: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    expected = {
        "/api/v1/courses": {"get", "post"},
        "/api/v1/courses/{course_id}": {"get", "patch"},
        "/api/v1/courses/{course_id}/sessions": {"post"},
        "/api/v1/courses/{course_id}/start": {"post"},
        "/api/v1/courses/{course_id}/enrolments": {"get", "post"},
        "/api/v1/courses/{course_id}/enrolments/{enrolment_id}/withdraw": {"post"},
        "/api/v1/courses/{course_id}/attendance": {"put"},
        "/api/v1/courses/{course_id}/marks": {"put"},
        "/api/v1/courses/{course_id}/close": {"post"},
        "/api/v1/certificates": {"get"},
        "/api/v1/certificates/{certificate_id}": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(schema["paths"][path]), path
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation.get("description"), (path, method)
            assert "401" in operation["responses"], (path, method)
            assert operation["tags"] == ["Bồi dưỡng"]
    assert "requestBody" in schema["paths"]["/api/v1/courses/{course_id}/close"]["post"]
