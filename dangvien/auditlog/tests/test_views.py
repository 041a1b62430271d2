"""The auditor's pages (/giam-sat/): who gets them, the filters, the before/after of each
change, the chain box, keyset paging, exports; a constant number of queries per page."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.auditlog.actions import seal_logs, verify_logs
from dangvien.auditlog.models import AccessEvent
from dangvien.core import audit
from dangvien.core.models import AuditEvent
from dangvien.factories import make_person, make_user, user_with_role
from dangvien.people.models import Person

from .helpers import drop_guard, raw, view

EVENTS = reverse("auditlog:events")
ACCESS = reverse("auditlog:access")


def page(client, who, url, **params):
    client.force_login(who)
    return client.get(url, params)


@pytest.mark.parametrize("url", [EVENTS, ACCESS])
def test_anonymous_users_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("url", [EVENTS, ACCESS])
@pytest.mark.parametrize("role", [Role.BOARD_STAFF, Role.LEADER, Role.BRANCH_SECRETARY])
def test_users_without_the_audit_capability_get_404(client, tree, url, role):
    user = user_with_role(role, tree["province"])
    assert page(client, user, url).status_code == 404
    assert page(client, user, url, export="xlsx").status_code == 404


def test_an_auditors_menu_holds_the_logs_and_not_the_pages_of_party_work(
    client, tree, commune_auditor
):
    html = page(client, commune_auditor, EVENTS).content.decode()
    menu = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert reverse("auditlog:events") in menu
    assert reverse("members:list") not in menu
    assert reverse("candidates:list") not in menu


def test_a_user_who_both_audits_and_works_on_a_unit_sees_both_menus(client, tree):
    user = user_with_role(Role.AUDITOR, tree["commune"], username="kiemtra.canbo")
    user.roles.create(organisation=tree["commune"], role=Role.BOARD_STAFF)
    html = page(client, user, EVENTS).content.decode()
    menu = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert reverse("auditlog:events") in menu
    assert reverse("members:list") in menu


@pytest.mark.parametrize("url", [EVENTS, ACCESS])
def test_auditors_and_superusers_get_the_pages(client, tree, commune_auditor, url):
    assert page(client, commune_auditor, url).status_code == 200
    assert page(client, make_user(is_superuser=True), url).status_code == 200


def test_a_change_shows_its_fields_before_and_after(client, tree, province_auditor):
    staff = user_with_role(Role.BRANCH_SECRETARY, tree["village"], display_name="Lê Thị Hoa")
    person = make_person(occupation="Nông dân")
    with audit.acting_as(staff):
        Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    response = page(client, province_auditor, EVENTS, table="people_person", op="U")
    html = response.content.decode()
    assert "Lê Thị Hoa (" in html
    assert "Nhân thân" in html
    assert '<th scope="row">nghề nghiệp</th>' in html
    assert '<td class="before">Nông dân</td><td class="after">Giáo viên</td>' in html


def test_ciphertext_in_the_log_reads_as_encrypted(client, tree, province_auditor):
    AuditEvent.objects.create(
        table="people_person",
        row_id="1",
        op="U",
        before={"family_background": "v1:k1:" + "x" * 30},
        after={"family_background": "v1:k1:" + "y" * 30},
    )
    html = page(client, province_auditor, EVENTS, table="people_person").content.decode()
    assert html.count("(đã mã hóa)") >= 2
    assert "xxxxxxxxxx" not in html


def test_the_access_log_names_reader_person_and_organisation(client, tree, commune_auditor):
    reader = make_user(username="canbo.xa", display_name="Trần Văn Bình")
    person = make_person(family_name="Nguyễn", middle_name="Thị", given_name="Mai")
    view(reader, tree["village"], person=person)
    view(reader, tree["other_branch"])  # outside the auditor's commune
    html = page(client, commune_auditor, ACCESS).content.decode()
    assert "Trần Văn Bình (canbo.xa)" in html
    assert "Nguyễn Thị Mai" in html
    assert "Chi bộ thôn Đông" in html
    assert "Chi bộ thôn Tây" not in html
    assert html.count('id="access-') == 1


def test_filters_on_the_access_page(client, tree, province_auditor):
    reader = make_user(username="canbo")
    person = make_person()
    wanted = view(reader, tree["village"], person=person, kind="export")
    view(reader, tree["village"], kind="export")
    view(None, tree["village"], person=person)
    response = page(client, province_auditor, ACCESS, user="CANBO", person=person.pk, kind="export")
    assert [a.pk for a in response.context["page"].items] == [wanted.pk]


def test_a_bad_date_or_an_unknown_account_says_so_and_lists_nothing(client, tree, province_auditor):
    view(None, tree["village"])
    response = page(client, province_auditor, ACCESS, **{"from": "31/02/2025"})
    assert "Từ ngày “31/02/2025” không hợp lệ" in response.content.decode()
    assert response.context["page"].items == []
    response = page(client, province_auditor, ACCESS, user="khongco")
    assert "Không có tài khoản “khongco”." in response.content.decode()
    assert response.context["page"].items == []


def test_garbage_in_the_query_string_is_ignored(client, tree, province_auditor):
    params = {"before": "１２", "person": "x" * 30, "op": "Z", "table": "auth_secret", "kind": "?"}
    assert page(client, province_auditor, EVENTS, **params).status_code == 200
    assert page(client, province_auditor, ACCESS, **params).status_code == 200


def test_paging_follows_the_older_link(client, tree, province_auditor):
    made = [view(None, tree["village"]) for _ in range(53)]
    first = page(client, province_auditor, ACCESS)
    html = first.content.decode()
    assert first.context["count"] == 53
    assert "Cũ hơn ›" in html
    cursor = first.context["page"].next_cursor
    second = page(client, province_auditor, ACCESS, before=cursor)
    shown = [a.pk for a in first.context["page"].items + second.context["page"].items]
    assert shown == [a.pk for a in reversed(made)]
    assert "« Mới nhất" in second.content.decode()


def test_the_list_pages_run_the_same_queries_for_3_or_30_rows(client, tree, province_auditor):
    client.force_login(province_auditor)
    staff = user_with_role(Role.BRANCH_SECRETARY, tree["village"])

    def counts():
        with CaptureQueriesContext(connection) as events:
            client.get(EVENTS)
        with CaptureQueriesContext(connection) as accesses:
            client.get(ACCESS)
        return len(events), len(accesses)

    def add(n):
        for _ in range(n):
            view(staff, tree["village"])
            with audit.acting_as(staff):
                make_person()

    add(3)
    few = counts()
    add(27)
    assert counts() == few


@pytest.mark.as_owner  # seals and verifies: the owner's commands
def test_the_chain_box_reports_an_intact_chain(client, tree, province_auditor):
    view(None, tree["village"])
    verify_logs()
    html = page(client, province_auditor, ACCESS).content.decode()
    assert "Chuỗi băm toàn vẹn đến bản ghi #1, niêm phong lúc" in html


@pytest.mark.as_owner  # seals and verifies: the owner's commands
def test_the_chain_box_reports_a_broken_link(client, tree, province_auditor):
    rows = [view(None, tree["village"]) for _ in range(3)]
    seal_logs()
    drop_guard(AccessEvent)
    raw("UPDATE auditlog_accessevent SET what = 'Sửa' WHERE id = %s", [rows[1].pk])
    verify_logs()
    html = page(client, province_auditor, EVENTS).content.decode()
    assert "Chuỗi băm bị đứt tại bản ghi #2" in html
    assert "Nội dung bản ghi đã bị sửa sau khi niêm phong" in html


def test_the_chain_box_before_any_verification(client, tree, province_auditor):
    view(None, tree["village"])
    html = page(client, province_auditor, ACCESS).content.decode()
    assert "Chưa kiểm tra" in html
    assert "1 bản ghi mới chờ niêm phong." in html


def test_the_access_log_exports_to_xlsx_with_the_filters(client, tree, province_auditor):
    from openpyxl import load_workbook

    reader = make_user(username="canbo")
    view(reader, tree["village"], kind="export")
    view(None, tree["village"])
    response = page(client, province_auditor, ACCESS, user="canbo", export="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    heads = next(i for i, row in enumerate(values) if row and row[0] == "Thời điểm")
    rows = [r for r in values[heads + 1 :] if any(r)]
    assert len(rows) == 1
    assert rows[0][1] == "canbo"
    assert rows[0][2] == "Xuất dữ liệu"


def test_the_audit_trail_exports_to_csv(client, tree, province_auditor):
    person = make_person(occupation="Nông dân")
    Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    response = page(
        client, province_auditor, EVENTS, table="people_person", row=person.pk, export="csv"
    )
    text = response.content.decode("utf-8-sig")
    assert "nghề nghiệp: Nông dân → Giáo viên" in text
    assert text.splitlines()[0].startswith("Thời điểm;Người thực hiện;Dữ liệu")


def test_exports_stop_at_the_configured_number_of_rows(client, tree, province_auditor, settings):
    settings.AUDIT_EXPORT_MAX_ROWS = 2
    for _ in range(4):
        view(None, tree["village"])
    response = page(client, province_auditor, ACCESS, export="csv")
    lines = [x for x in response.content.decode("utf-8-sig").splitlines() if x and x[0] != "#"]
    assert len(lines) == 1 + 2


def test_the_nav_filter_tells_who_may_audit(tree, commune_auditor):
    from django.template import Context, Template

    link = Template("{% load auditlog %}{% if user|may_audit %}Giám sát{% endif %}")
    assert link.render(Context({"user": commune_auditor})) == "Giám sát"
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    assert link.render(Context({"user": board})) == ""
