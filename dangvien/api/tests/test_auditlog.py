"""API: /audit/events, /audit/access, /audit/chain (issue 9): auditors only (404 for
everyone else), scoped like the pages, filters, keyset paging, capped counts."""

import pytest

from dangvien.accounts.models import Role
from dangvien.auditlog.actions import seal_logs, verify_logs
from dangvien.auditlog.tests.helpers import view
from dangvien.core import audit
from dangvien.factories import make_person, make_user, user_with_role
from dangvien.people.models import Person


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """Tokens are issued directly here; the second factor has its own tests."""
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def auditor(tree):
    return user_with_role(Role.AUDITOR, tree["commune"])


@pytest.mark.parametrize("path", ["/audit/events", "/audit/access", "/audit/chain"])
def test_only_auditors_get_answers(as_user, tree, auditor, path):
    assert as_user(None).get(path).status == 401
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    answer = as_user(board).get(path)
    assert answer.status == 404
    assert answer.error["code"] == "not_found"
    assert as_user(auditor).get(path).status == 200
    assert as_user(make_user(is_superuser=True)).get(path).status == 200


def test_the_access_log_of_the_auditors_subtree(as_user, tree, auditor):
    reader = make_user(username="canbo")
    person = make_person(family_name="Phạm", middle_name="Văn", given_name="Nam")
    inside = view(reader, tree["village"], person=person)
    view(reader, tree["other_branch"])
    answer = as_user(auditor).get("/audit/access")
    assert answer.status == 200
    assert answer.body["count"] == 1
    assert answer.body["count_capped"] is False
    (item,) = answer.body["items"]
    assert item["id"] == inside.pk
    assert item["user"] == "canbo"
    assert item["person_name"] == "Phạm Văn Nam"
    assert item["organisation_name"] == "Chi bộ thôn Đông"
    assert item["kind"] == "view"
    assert item["seq"] is None


def test_the_audit_trail_with_its_changes(as_user, tree, auditor):
    staff = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    person = make_person(occupation="Nông dân")
    with audit.acting_as(staff):
        Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    answer = as_user(auditor).get(
        "/audit/events", table="people_person", row_id=str(person.pk), op="U"
    )
    assert answer.status == 200
    (item,) = answer.body["items"]
    assert item["actor_id"] == staff.pk
    assert item["op_label"] == "Sửa"
    assert {
        "field": "occupation",
        "label": "nghề nghiệp",
        "before": "Nông dân",
        "after": "Giáo viên",
    } in item["changes"]
    assert "+07:00" in item["at"]


def test_filters_by_account_name_or_id(as_user, tree, auditor):
    reader = make_user(username="canbo")
    mine = view(reader, tree["village"])
    view(None, tree["village"])
    api = as_user(auditor)
    by_name = api.get("/audit/access", username="CanBo").body["items"]
    by_id = api.get("/audit/access", user_id=reader.pk).body["items"]
    assert [i["id"] for i in by_name] == [i["id"] for i in by_id] == [mine.pk]


def test_bad_filters_answer_400(as_user, tree, auditor):
    api = as_user(auditor)
    answer = api.get("/audit/access", username="khongco")
    assert (answer.status, answer.error["code"]) == (400, "invalid")
    assert "username" in answer.error["fields"]
    assert api.get("/audit/events", op="X").status == 400
    assert api.get("/audit/access", date_from="31/12/2025").status == 400
    assert api.get("/audit/access", kind="read").status == 400
    assert api.get("/audit/access", before_id=0).status == 400
    assert api.get("/audit/access", limit=501).status == 400


def test_keyset_paging_with_before_id(as_user, tree, auditor):
    made = [view(None, tree["village"]) for _ in range(5)]
    api = as_user(auditor)
    first = api.get("/audit/access", limit=2).body
    second = api.get("/audit/access", limit=2, before_id=first["next_before_id"]).body
    third = api.get("/audit/access", limit=2, before_id=second["next_before_id"]).body
    ids = [i["id"] for i in first["items"] + second["items"] + third["items"]]
    assert ids == [m.pk for m in reversed(made)]
    assert third["next_before_id"] is None
    offset = api.get("/audit/access", limit=2, offset=2).body
    assert [i["id"] for i in offset["items"]] == [i["id"] for i in second["items"]]


def test_counts_are_capped(as_user, tree, auditor, settings):
    settings.AUDIT_COUNT_CAP = 2
    for _ in range(3):
        view(None, tree["village"])
    body = as_user(auditor).get("/audit/access").body
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 3)


@pytest.mark.as_owner  # seals and verifies: the owner's commands
def test_the_chain_state(as_user, tree, auditor):
    view(None, tree["village"])
    api = as_user(auditor)
    chains = {c["log"]: c for c in api.get("/audit/chain").body["chains"]}
    assert chains["access"]["intact"] is None
    assert chains["access"]["unsealed"] == 1
    seal_logs()
    verify_logs(seal=False)
    chains = {c["log"]: c for c in api.get("/audit/chain").body["chains"]}
    access = chains["access"]
    assert (access["head_seq"], access["verified_seq"], access["intact"]) == (1, 1, True)
    assert access["message"] == "Chuỗi băm toàn vẹn đến bản ghi #1."
    assert access["unsealed"] == 0
