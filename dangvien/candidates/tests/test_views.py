"""Wiring of the pipeline pages: login, scope (404), role (403), answers, flat query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.stats.admission_facts import refresh_admissions

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_pages_ask_for_login(client):
    response = client.get("/quan-chung/")
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


def test_a_candidate_outside_the_users_subtree_answers_404(client, tree):
    outsider = make_candidate(branch=tree["other_branch"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert client.get(f"/quan-chung/{outsider.pk}/").status_code == 404
    response = client.post(f"/quan-chung/{outsider.pk}/withdraw/", {"withdraw-reason": "x"})
    assert response.status_code == 404
    assert Candidate.objects.get(pk=outsider.pk).stage == Stage.CANDIDATE


def test_a_leader_sees_the_candidate_but_may_not_move_it(client, tree):
    candidate = make_candidate(branch=tree["village"])
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    page = client.get(f"/quan-chung/{candidate.pk}/")
    assert page.status_code == 200
    assert "chỉ được xem" in page.content.decode()
    response = client.post(f"/quan-chung/{candidate.pk}/withdraw/", {"withdraw-reason": "x"})
    assert response.status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CANDIDATE


def test_a_move_the_stage_does_not_allow_answers_409_and_changes_nothing(client, tree):
    candidate = make_candidate(branch=tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        f"/quan-chung/{candidate.pk}/hold-ceremony/", {"hold-ceremony-held_on": "01/09/2026"}
    )
    assert response.status_code == 409
    assert "Không thể" in response.content.decode()
    assert not candidate.changes.exists()


def test_a_refused_rule_shows_its_vietnamese_message_in_the_htmx_panel(client, tree):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        f"/quan-chung/{candidate.pk}/open-dossier/",
        {"open-dossier-application_on": "10/03/2026", "open-dossier-declaration_on": "05/03/2026"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="candidate-body">')  # the partial only
    assert "Đơn xin vào Đảng phải làm trước khi khai lý lịch" in body
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CERTIFIED


def test_a_successful_move_answers_the_updated_panel(client, tree):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        f"/quan-chung/{candidate.pk}/open-dossier/",
        {"open-dossier-application_on": "01/03/2026", "open-dossier-declaration_on": "05/03/2026"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-stage="dossier_open"' in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.application_on == date(2026, 3, 1)


def test_the_secretary_creates_a_candidate_in_her_branch_from_the_form(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        "/quan-chung/them/",
        {
            "full_name": "Phạm Thu  Hà",
            "birth_date": "05/03/2001",
            "sex": "female",
            "citizen_id": "001301005555",
            "ethnicity": "Kinh",
            "religion": "Không",
            "education_level": "university",
            "branch": tree["village"].pk,
        },
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(person__citizen_id="001301005555")
    assert candidate.person.birth_date == date(2001, 3, 5)
    assert (candidate.person.family_name, candidate.person.given_name) == ("Phạm", "Hà")


def test_the_create_form_offers_no_branch_outside_the_users_scope(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        "/quan-chung/them/",
        {
            "full_name": "Phạm Thu Hà",
            "birth_date": "05/03/2001",
            "sex": "female",
            "citizen_id": "001301005556",
            "education_level": "university",
            "ethnicity": "Kinh",
            "religion": "Không",
            "branch": tree["other_branch"].pk,
        },
    )
    assert response.status_code == 200
    assert not Candidate.objects.exists()


def test_a_leader_cannot_open_the_create_form(client, tree):
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.get("/quan-chung/them/").status_code == 403


def test_search_ignores_case_and_diacritics(client, tree):
    candidate = make_candidate(branch=tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    name = candidate.person.full_name
    from dangvien.core.text import fold

    response = client.get("/quan-chung/", {"q": fold(name).upper()})
    assert name in response.content.decode()
    response = client.get("/quan-chung/", {"q": "khong co ai ten nay"})
    assert name not in response.content.decode()


def test_candidate_list_query_count_stays_flat_as_rows_grow(client, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    [make_candidate(branch=tree["village"]) for _ in range(3)]
    few = _queries(client, "/quan-chung/")
    [make_candidate(branch=tree["school_branch"]) for _ in range(30)]
    assert _queries(client, "/quan-chung/") == few


def test_candidate_detail_query_count_stays_flat_as_history_grows(client, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    candidate = make_candidate(branch=tree["village"])
    few = _queries(client, f"/quan-chung/{candidate.pk}/")
    for _ in range(10):
        candidate.changes.create(from_stage="candidate", to_stage="candidate", note="x")
    assert _queries(client, f"/quan-chung/{candidate.pk}/") == few


def test_home_todo_query_count_stays_flat(client, tree):
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    client.force_login(user)
    make_candidate(branch=tree["village"], stage=Stage.ADMITTED, ceremony_due_on=date(2026, 11, 1))
    refresh_admissions()  # writes are taken into the admission facts once (stats)
    few = _queries(client, "/")
    for _ in range(20):
        make_candidate(
            branch=tree["school_branch"],
            stage=Stage.BRANCH_PROPOSED,
            decision_due_on=date(2026, 11, 20),
        )
    refresh_admissions()
    assert _queries(client, "/") == few
    assert "Quá hạn" in client.get("/").content.decode()


def test_member_list_and_organisation_page_query_counts_stay_flat(client, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    [make_member(branch=tree["village"]) for _ in range(3)]
    members_few = _queries(client, "/dang-vien/")
    org_few = _queries(client, f"/to-chuc/{tree['commune'].pk}/")
    [make_member(branch=tree["school_branch"]) for _ in range(30)]
    [make_candidate(branch=tree["clinic"]) for _ in range(10)]
    assert _queries(client, "/dang-vien/") == members_few
    assert _queries(client, f"/to-chuc/{tree['commune'].pk}/") == org_few


def test_an_organisation_outside_scope_and_its_members_answer_404(client, tree):
    member = make_member(branch=tree["other_branch"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert client.get(f"/to-chuc/{tree['other_commune'].pk}/").status_code == 404
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 404
    assert client.get(f"/dang-vien/?organisation={tree['other_commune'].pk}").status_code == 404


def test_the_tree_page_counts_members_and_candidates_per_child(client, tree):
    [make_member(branch=tree["village"]) for _ in range(4)]
    [make_member(branch=tree["school_branch"]) for _ in range(2)]
    make_candidate(branch=tree["school_branch"])
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    response = client.get(f"/to-chuc/{tree['commune'].pk}/")
    rows = {r["org"].name: r for r in response.context["rows"]}
    assert rows["Chi bộ thôn Đông"]["official"] == 4
    assert rows["Đảng bộ Trường THPT An Bình"]["official"] == 2
    assert rows["Đảng bộ Trường THPT An Bình"]["candidates"] == 1


def test_the_history_shows_the_day_of_the_meeting_not_the_day_it_was_keyed_in(client, tree):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    client.post(
        f"/quan-chung/{candidate.pk}/open-dossier/",
        {"open-dossier-application_on": "01/03/2026", "open-dossier-declaration_on": "05/03/2026"},
    )
    change = candidate.changes.get(to_stage=Stage.DOSSIER_OPEN)
    assert change.on == date(2026, 3, 5)
    assert (
        "<strong>05/03/2026</strong>" in client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    )


def test_home_lists_awareness_certificates_about_to_lapse(client, tree):
    """HD 06 §5.4: a certificate older than 60 months at the vote means retaking the course."""
    lapsing = make_candidate(
        branch=tree["village"], stage=Stage.DOSSIER_OPEN, certificate_issued_on=date(2021, 12, 1)
    )
    fresh = make_candidate(
        branch=tree["village"], stage=Stage.DOSSIER_OPEN, certificate_issued_on=date(2025, 12, 1)
    )
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get("/").content.decode()
    assert f"/quan-chung/{lapsing.pk}/" in page
    assert "01/12/2026" in page  # issued 01/12/2021 + 60 months
    assert f"/quan-chung/{fresh.pk}/" not in page


def test_a_branch_page_lists_its_candidates_with_a_flat_query_count(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    make_candidate(branch=tree["village"])
    url = f"/to-chuc/{tree['village'].pk}/"
    few = _queries(client, url)
    rows = [make_candidate(branch=tree["village"]) for _ in range(15)]
    assert _queries(client, url) == few
    page = client.get(url).content.decode()
    assert f"/quan-chung/{rows[-1].pk}/" in page
    assert "Thêm quần chúng ưu tú" in page


def test_the_secretary_may_not_withdraw_after_the_decision_but_the_decider_may(client, tree):
    """DOMAIN.md §3: exits are pre-admission; after the decision only its author undoes it."""
    candidate = make_candidate(
        branch=tree["village"], stage=Stage.ADMITTED, decided_on=date(2026, 10, 1)
    )
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    url = f"/quan-chung/{candidate.pk}/withdraw/"
    assert client.post(url, {"withdraw-reason": "Chuyển đi"}).status_code == 403
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    assert client.post(url, {"withdraw-reason": "Chuyển đi nơi khác"}).status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.WITHDRAWN


def test_an_introducer_is_taken_back_from_the_page(client, tree):
    from dangvien.candidates.models import Introducer

    candidate = make_candidate(branch=tree["village"], stage=Stage.DOSSIER_OPEN)
    member = make_member(branch=tree["village"])
    introducer = Introducer.objects.create(
        candidate=candidate, member=member, known_since=date(2020, 1, 1)
    )
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    url = f"/quan-chung/{candidate.pk}/gioi-thieu/{introducer.pk}/bo/"
    assert client.post(url).status_code == 403
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert "Bỏ</button>" in client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 200
    introducer.refresh_from_db()
    assert not introducer.active


def test_a_huge_vote_count_is_a_form_error_not_a_crash(client, tree):
    candidate = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        f"/quan-chung/{candidate.pk}/record-branch-vote/",
        {
            "record-branch-vote-held_on": "15/10/2026",
            "record-branch-vote-in_favour": str(10**20),
            "record-branch-vote-against": "0",
            "record-branch-vote-exempted_present": "0",
            "record-branch-vote-resolution_no": "NQ",
        },
    )
    assert response.status_code == 400
    assert "nhỏ hơn hoặc bằng" in response.content.decode()


def test_pages_outside_scope_show_a_vietnamese_not_found_page(client, tree, settings):
    settings.DEBUG = False
    outsider = make_candidate(branch=tree["other_branch"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.get(f"/quan-chung/{outsider.pk}/")
    assert response.status_code == 404
    assert "nằm ngoài phạm vi tổ chức" in response.content.decode()


def test_an_expired_form_shows_a_vietnamese_csrf_page(tree):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    candidate = make_candidate(branch=tree["village"])
    response = client.post(f"/quan-chung/{candidate.pk}/withdraw/", {"withdraw-reason": "x"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
