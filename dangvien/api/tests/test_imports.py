"""The imports API (issue 8): upload, mapping, dry run, errors, commit, templates."""

import json
from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.imports.tests.helpers import MEMBER_HEADER, csv_upload, member_row
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation


@pytest.fixture(autouse=True)
def uploads_dir(settings: Any, tmp_path: Any) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


class Caller:
    def __init__(self, client: Client, user: User) -> None:
        raw, _token = issue_api_token(user, by=user)
        self.client, self.headers = client, {"Authorization": f"Bearer {raw}"}

    def call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        response = getattr(self.client, method)(f"/api/v1{path}", headers=self.headers, **kw)
        is_json = response["Content-Type"].startswith("application/json")
        return response.status_code, json.loads(response.content) if is_json else response

    def upload(self, org: Organisation, rows: list[list[str]], kind: str = "members") -> Any:
        data = {"kind": kind, "organisation_id": org.pk, "file": csv_upload(MEMBER_HEADER, rows)}
        return self.call("post", "/imports", data=data)


def test_an_upload_answers_201_with_the_columns_and_the_proposed_mapping(client, tree, staff):
    status, body = Caller(client, staff).upload(tree["commune"], [member_row(1)])
    assert status == 201
    assert body["state"] == "uploaded" and body["organisation_id"] == tree["commune"].pk
    assert body["columns"][0] == {"index": 0, "header": "Họ và tên", "field": "full_name"}
    assert {"key": "citizen_id", "label": "Số CCCD", "required": True}.items() <= body["fields"][
        3
    ].items()


def test_the_whole_flow_over_the_api(client, tree, staff):
    api = Caller(client, staff)
    _status, job = api.upload(tree["commune"], [member_row(1), member_row(2, sex="?")])
    status, body = api.call("post", f"/imports/{job['id']}/commit")
    assert status == 409 and "chạy kiểm tra" in body["error"]["message"]
    status, body = api.call("post", f"/imports/{job['id']}/dry-run")
    assert status == 202
    status, body = api.call("get", f"/imports/{job['id']}")
    assert body["state"] == "checked" and body["error_count"] == 1 and body["percent"] == 100
    status, errors = api.call("get", f"/imports/{job['id']}/errors")
    assert errors == {
        "count": 1,
        "items": [
            {
                "row": 3,
                "column": "Giới tính",
                "message": "“?” không hợp lệ: chọn “Nam” hoặc “Nữ”.",
                "text": "Dòng 3, Giới tính: “?” không hợp lệ: chọn “Nam” hoặc “Nữ”.",
            }
        ],
    }
    status, body = api.call("post", f"/imports/{job['id']}/commit")
    assert status == 409 and body["error"]["code"] == "conflict"
    assert Member.objects.count() == 0


def test_a_mapping_by_header_drops_the_other_columns_and_commits(client, tree, staff):
    api = Caller(client, staff)
    _status, job = api.upload(tree["commune"], [member_row(1)])
    keep = dict(zip(MEMBER_HEADER, [c["field"] for c in job["columns"]], strict=True))
    del keep["Dân tộc"]
    status, body = api.call(
        "put",
        f"/imports/{job['id']}/mapping",
        data={"mapping": keep},
        content_type="application/json",
    )
    assert status == 200 and body["columns"][5]["field"] == ""
    api.call("post", f"/imports/{job['id']}/dry-run")
    status, body = api.call("post", f"/imports/{job['id']}/commit")
    assert status == 202
    _status, body = api.call("get", f"/imports/{job['id']}")
    assert body["state"] == "done" and body["result"] == {"added": 1, "updated": 0, "unchanged": 0}


def test_a_mapping_missing_a_required_field_answers_409(client, tree, staff):
    api = Caller(client, staff)
    _status, job = api.upload(tree["commune"], [member_row(1)])
    mapping = [c["field"] for c in job["columns"]]
    mapping[0] = ""
    status, body = api.call(
        "put",
        f"/imports/{job['id']}/mapping",
        data={"mapping": mapping},
        content_type="application/json",
    )
    assert status == 409
    assert "Họ và tên" in body["error"]["fields"]["mapping"]


def test_an_unreadable_file_or_an_unknown_kind_answers_400(client, tree, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = Caller(client, staff)
    status, body = api.upload(tree["commune"], [member_row(1)], kind="cats")
    assert status == 400 and "kind" in body["error"]["fields"]
    status, body = api.call(
        "post",
        "/imports",
        data={
            "kind": "members",
            "organisation_id": tree["commune"].pk,
            "file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04broken"),
        },
    )
    assert status == 400 and "Excel" in body["error"]["fields"]["file"]


def test_outside_the_subtree_answers_404_and_a_leader_403(client, tree, staff):
    _status, job = Caller(client, staff).upload(tree["commune"], [member_row(1)])
    outsider = Caller(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.call("get", f"/imports/{job['id']}")[0] == 404
    assert outsider.upload(tree["commune"], [member_row(1)])[0] == 404
    leader = Caller(client, user_with_role(Role.LEADER, tree["province"]))
    assert leader.call("get", f"/imports/{job['id']}")[0] == 200
    status, body = leader.call("post", f"/imports/{job['id']}/dry-run")
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert leader.upload(tree["commune"], [member_row(1)])[0] == 403


def test_the_list_is_paged_and_scoped(client, tree, staff):
    api = Caller(client, staff)
    for _ in range(3):
        api.upload(tree["commune"], [member_row(1)])
    status, body = api.call("get", "/imports", data={"limit": 2})
    assert status == 200 and body["count"] == 3 and len(body["items"]) == 2
    outsider = Caller(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.call("get", "/imports")[1]["count"] == 0


def test_templates_download_as_xlsx_and_csv(client, tree, staff):
    api = Caller(client, staff)
    status, response = api.call("get", "/imports/templates/candidates", data={"format": "csv"})
    assert status == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''mau-nhap-quan-chung-uu-tu.csv" in response["Content-Disposition"]
    status, response = api.call("get", "/imports/templates/members")
    assert status == 200 and response.content.startswith(b"PK")
    assert api.call("get", "/imports/templates/cats")[0] == 404
    assert api.call("get", "/imports/templates/members", data={"format": "pdf"})[0] == 400


def _truncated_xlsx() -> Any:
    """A real workbook whose sheet XML is cut in its first row (openpyxl fails while reading
    the rows, after the workbook opened)."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvien.imports.tests.helpers import xlsx_upload

    good = xlsx_upload(MEMBER_HEADER, [member_row(n) for n in range(1, 200)]).read()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b"<row") + 40]
            target.writestr(info, data)
    return SimpleUploadedFile("hong.xlsx", out.getvalue())


def test_an_xlsx_with_a_truncated_sheet_answers_400_and_keeps_no_file(
    client, tree, staff, settings
):
    status, body = Caller(client, staff).call(
        "post",
        "/imports",
        data={"kind": "members", "organisation_id": tree["commune"].pk, "file": _truncated_xlsx()},
    )
    assert status == 400 and "Excel" in body["error"]["fields"]["file"]
    folder = settings.UPLOADS_DIR / "imports"
    assert not folder.exists() or not any(folder.iterdir())
