"""Scope and reads of the training area: who sees what, certificate validity, search."""

from datetime import date
from decimal import Decimal

import pytest

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.dates import add_months
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Status
from dangvien.training import queries
from dangvien.training.models import Certificate, CourseKind, Result
from dangvien.training.tests.factories import days_ago, enrol, make_course, staff, today

pytestmark = pytest.mark.django_db


def _certificate(enrolment, number="1-CN/TTCT", issued_on=None):
    course = enrolment.course
    return Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        kind=course.kind,
        number=number,
        issued_on=issued_on or today(),
        issuer=course.organiser,
        org_path=enrolment.org_path,
    )


def test_committee_staff_see_the_courses_of_their_subtree_only(tree):
    ours = make_course(tree["commune"], name="Của xã")
    make_course(tree["other_commune"], name="Xã khác")
    assert list(queries.visible_courses(staff(tree["commune"]))) == [ours]
    assert queries.visible_courses(staff(tree["province"])).count() == 2


def test_a_branch_secretary_sees_a_course_only_through_their_own_people(tree):
    course = make_course(tree["commune"])
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert not queries.visible_courses(secretary).exists()
    mine = enrol(course, make_candidate(branch=tree["village"]))
    other = enrol(course, make_candidate(branch=tree["clinic"]))
    assert list(queries.visible_courses(secretary)) == [course]
    assert list(queries.visible_enrolments(secretary)) == [mine]
    assert list(queries.enrolment_rows(course, secretary)) == [mine]
    assert set(queries.enrolment_rows(course, staff(tree["commune"]))) == {mine, other}


def test_a_branch_secretary_sees_the_certificates_of_their_people_only(tree):
    course = make_course(tree["commune"])
    mine = _certificate(enrol(course, make_candidate(branch=tree["village"])), "1-CN/TTCT")
    _certificate(enrol(course, make_candidate(branch=tree["clinic"])), "2-CN/TTCT")
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert list(queries.visible_certificates(secretary)) == [mine]
    assert queries.visible_certificates(staff(tree["commune"])).count() == 2
    assert not queries.visible_certificates(staff(tree["other_commune"])).exists()


def test_a_persons_enrolments_and_certificates_for_the_candidate_and_member_pages(tree):
    candidate = make_candidate(branch=tree["village"])
    first = make_course(
        tree["commune"], name="Khóa I", starts_on=days_ago(90), ends_on=days_ago(80)
    )
    second = make_course(tree["commune"], name="Khóa II")
    failed = enrol(first, candidate, result=Result.FAILED)
    passed = enrol(second, candidate, result=Result.PASSED)
    certificate = _certificate(passed)
    assert list(queries.enrolments_of(candidate.person)) == [passed, failed]
    assert list(queries.certificates_of(candidate.person)) == [certificate]


def test_the_organisers_a_user_may_choose_are_committees_where_they_are_staff(tree):
    assert tree["commune"] in queries.organisers_for(staff(tree["commune"]))
    assert tree["village"] not in queries.organisers_for(staff(tree["commune"]))
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert queries.organisers_for(secretary) == []
    leader = user_with_role(Role.LEADER, tree["province"])
    assert queries.organisers_for(leader) == []


def test_the_enrolment_page_lists_eligible_people_and_the_others_with_their_reason(tree):
    course = make_course(tree["commune"])
    ready = make_candidate(branch=tree["village"], person__given_name="An")
    make_candidate(
        branch=tree["village"],
        person__given_name="Bình",
        stage=Stage.CERTIFIED,
        certificate_issued_on=days_ago(100),
    )
    make_candidate(branch=tree["other_branch"], person__given_name="Cúc")
    eligible, refused = queries.pickable(course, staff(tree["province"]), today())
    assert [p.pk for p in eligible] == [ready.pk]
    assert [p.person.given_name for p in refused] == ["Bình"]  # outside the organiser: not listed
    assert "còn hạn đến" in refused[0].refusal
    eligible, _ = queries.pickable(course, staff(tree["province"]), today(), q="nguyen van an")
    assert [p.pk for p in eligible] == [ready.pk]


def test_the_enrolment_page_for_new_members_lists_probationary_members(tree):
    course = make_course(tree["commune"], kind=CourseKind.NEW_MEMBER)
    member = make_member(branch=tree["clinic"], status=Status.PROBATIONARY, official_on=None)
    make_member(branch=tree["clinic"])  # official: not listed
    eligible, refused = queries.pickable(course, staff(tree["commune"]), today())
    assert [p.pk for p in eligible] == [member.pk]
    assert refused == []


def test_an_issue_day_boundary_is_exact_at_the_end_of_a_month():
    # 31/08 + 6 months is 28/02 (clipped), as is 28/08 + 6 months.
    assert queries._first_issue_reaching(date(2027, 2, 28), 6) == date(2026, 8, 28)
    assert queries._first_issue_reaching(date(2027, 3, 1), 6) == date(2026, 9, 1)


def test_certificate_validity_status_is_valid_expiring_or_expired(tree):
    def status(issued_on: date) -> str:
        return queries.certificate_status(issued_on, validity=60, window=6, today=date(2026, 6, 15))

    assert status(date(2021, 6, 15)) == "expiring"  # its last valid day
    assert status(date(2021, 6, 14)) == "expired"
    assert status(date(2021, 12, 15)) == "expiring"
    assert status(date(2021, 12, 16)) == "valid"


def test_the_certificate_list_filters_by_validity_as_the_status_says(tree):
    course = make_course(tree["commune"])
    validity, window = 60, 6
    issued = {
        "expired": add_months(today(), -61),
        "expiring": add_months(today(), -57),
        "valid": add_months(today(), -12),
    }
    made = {}
    for n, (state, day) in enumerate(issued.items()):
        e = enrol(course, make_candidate(branch=tree["village"]))
        made[state] = _certificate(e, f"{n}-CN", issued_on=day)
    rows = queries.visible_certificates(staff(tree["commune"]))
    for state, certificate in made.items():
        found = queries.filter_certificates(
            rows, status=state, validity=validity, window=window, today=today()
        )
        assert list(found) == [certificate]
        status = queries.certificate_status(
            certificate.issued_on, validity=validity, window=window, today=today()
        )
        assert status == state


def test_certificates_are_found_by_name_without_diacritics_or_by_number(tree):
    course = make_course(tree["commune"])
    hoa = make_candidate(
        branch=tree["village"],
        person__family_name="Trần",
        person__middle_name="Thị",
        person__given_name="Hoa",
    )
    certificate = _certificate(enrol(course, hoa), "125-CN/TTCT")
    _certificate(enrol(course, make_candidate(branch=tree["village"])), "126-CN/TTCT")
    rows = queries.visible_certificates(staff(tree["commune"]))
    assert list(queries.filter_certificates(rows, q="tran thi hoa")) == [certificate]
    assert list(queries.filter_certificates(rows, q="125-cn")) == [certificate]


def test_the_next_number_follows_the_largest_given_by_the_issuer(tree):
    course = make_course(tree["commune"])
    assert queries.next_number(course) == 1
    _certificate(enrol(course, make_candidate(branch=tree["village"])), "0125-CN/TTCT")
    _certificate(enrol(course, make_candidate(branch=tree["village"])), "99-CN/TTCT")
    assert queries.next_number(course) == 126


def test_standings_count_presences_and_apply_the_pass_rule(tree):
    from dangvien.training.tests.factories import attend

    course = make_course(tree["commune"], sessions=5)
    e = enrol(course, make_candidate(branch=tree["village"]), mark=Decimal("5"))
    attend(e, 4)
    [standing] = queries.standings(course, queries.enrolment_rows(course, staff(tree["commune"])))
    assert (standing.attended, standing.sessions, standing.percent) == (4, 5, Decimal("80.0"))
    assert standing.attendance_ok and standing.would_pass
