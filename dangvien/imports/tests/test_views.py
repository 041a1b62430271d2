"""Import pages: wiring, scope, the htmx progress panel, the templates."""

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.imports import progress
from dangvien.imports.models import ImportJob, ImportKind, JobState
from dangvien.imports.tests.helpers import MEMBER_HEADER, csv_upload, member_row, uploaded
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation


@pytest.fixture(autouse=True)
def uploads_dir(settings: Any, tmp_path: Any) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_page_lists_the_jobs_of_the_scope_and_the_templates(client, tree, staff):
    uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1)])
    response = logged_in(client, staff).get(reverse("imports:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "danh-sach.csv" in text and "Tệp mẫu" in text
    assert reverse("imports:template", args=["members", "xlsx"]) in text


def test_the_whole_flow_through_the_pages(client, tree, staff):
    """Upload → mapping → dry run → commit, each a post of the page."""
    client = logged_in(client, staff)
    upload = csv_upload(MEMBER_HEADER, [member_row(1), member_row(2)])
    response = client.post(
        reverse("imports:list"),
        {"kind": "members", "organisation": tree["commune"].pk, "file": upload},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:job", args=[job.pk]
    )
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'name="column-0"' in page and "Chạy thử" in page
    mapping = {f"column-{i}": key for i, key in enumerate(job.mapping)}
    assert client.post(reverse("imports:mapping", args=[job.pk]), mapping).status_code == 302
    assert client.post(reverse("imports:dry-run", args=[job.pk])).status_code == 302
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Nếu ghi: <strong>2 thêm, 0 sửa, 0 không đổi</strong>" in page
    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 302
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "2 thêm, 0 sửa, 0 không đổi" in page
    assert Member.objects.count() == 2


def test_a_bad_file_is_refused_on_the_page_with_its_message(client, tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = logged_in(client, staff).post(
        reverse("imports:list"),
        {
            "kind": "members",
            "organisation": tree["commune"].pk,
            "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not a workbook"),
        },
    )
    assert response.status_code == 409
    assert "Không đọc được tệp Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_commit_button_answers_409_while_there_are_errors(client, tree, staff):
    job = uploaded(
        ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1, sex="?")]
    )
    client = logged_in(client, staff)
    client.post(reverse("imports:dry-run", args=[job.pk]))
    response = client.post(reverse("imports:commit", args=[job.pk]))
    assert response.status_code == 409
    text = response.content.decode()
    assert "còn 1 lỗi ở 1 dòng" in text
    assert "“?” không hợp lệ: chọn “Nam” hoặc “Nữ”." in text


def test_a_job_outside_the_scope_answers_404(client, tree, staff):
    job = uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1)])
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    client = logged_in(client, outsider)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:dry-run", args=[job.pk])).status_code == 404


def test_a_leader_sees_a_job_but_may_not_run_it(client, tree, staff):
    job = uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1)])
    client = logged_in(client, user_with_role(Role.LEADER, tree["province"]))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Chạy thử (kiểm tra" not in page
    assert client.post(reverse("imports:dry-run", args=[job.pk])).status_code == 403


def test_the_progress_panel_is_polled_while_a_task_runs(client, tree, staff):
    job = uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1)])
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.COMMITTING)
    progress.write(job.pk, "committing", 40, 160)
    client = logged_in(client, staff)
    url = reverse("imports:job", args=[job.pk]) + "?part=progress"
    response = client.get(url, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'hx-trigger="every 1s"' in text and 'value="25"' in text
    assert "<html" not in text  # the panel alone
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.DONE)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


@pytest.mark.parametrize("kind", ["members", "candidates", "organisations"])
def test_each_template_has_a_guide_sheet_and_a_csv_with_bom(client, tree, staff, kind):
    from openpyxl import load_workbook

    client = logged_in(client, staff)
    xlsx = client.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Dữ liệu", "Hướng dẫn"]
    header = [c.value for c in book["Dữ liệu"][1]]
    assert len(header) > 2 and all(header)
    csv = client.get(reverse("imports:template", args=[kind, "csv"]))
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.content.decode("utf-8-sig").split("\r\n")[0].split(";")[0] in (
        "Họ và tên",
        "Mã",
    )


def test_the_members_template_imports_as_it_is(tree, staff):
    """The published template, its example row kept, is read and mapped without changes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvien.imports import actions
    from dangvien.imports.sheets import template_xlsx

    upload = SimpleUploadedFile("mau.xlsx", template_xlsx("members"))
    job = actions.create_job("members", tree["commune"], upload, by=staff)
    assert all(job.mapping)
    actions.start_dry_run(job, by=staff)
    job.refresh_from_db()
    assert job.total_rows == 1  # the example row, whose chi bộ is the test tree's
    assert job.error_count == 0 and job.planned_added == 1
