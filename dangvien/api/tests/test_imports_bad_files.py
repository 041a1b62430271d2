"""Bad uploads to the imports API (issue 9): a broken XLSX, a file over the size limit, a
CSV in another encoding than UTF-8 each get a 400 with a Vietnamese message on the `file`
field, and leave nothing behind: no job, no problem rows, no stored file, no member.

(A truncated sheet inside a sound workbook is in ``test_imports.py``; a CSV in cp1258 read
by the action itself is in ``imports/tests/test_actions.py``.)
"""

import io
import json
import unicodedata
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.imports import actions
from dangvien.imports.models import ImportJob, ImportProblem
from dangvien.imports.tests.helpers import MEMBER_HEADER, member_row, xlsx_upload
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation

DAMAGED = "Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không đúng định dạng."
# The message goes on with where the first byte that is not UTF-8 lies.
NOT_UTF8 = "Tệp CSV phải được lưu với mã UTF-8 (trong Excel: “CSV UTF-8”); có ký tự không đọc"


@pytest.fixture(autouse=True)
def uploads_dir(settings: Any, tmp_path: Any) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


@pytest.fixture
def upload(client: Client, tree: dict[str, Organisation], staff: User) -> Any:
    """POST /imports of one file as the commune's staff: (status, error body)."""
    raw, _token = issue_api_token(staff, by=staff)

    def send(name: str, content: bytes) -> tuple[int, dict[str, Any]]:
        data = {
            "kind": "members",
            "organisation_id": tree["commune"].pk,
            "file": SimpleUploadedFile(name, content),
        }
        response = client.post(
            "/api/v1/imports", data=data, headers={"Authorization": f"Bearer {raw}"}
        )
        assert response["Content-Type"].startswith("application/json")
        return response.status_code, json.loads(response.content)

    return send


def nothing_kept(settings: Any) -> bool:
    folder = settings.UPLOADS_DIR / "imports"
    no_file = not folder.exists() or not any(folder.iterdir())
    return (
        no_file
        and not ImportJob.objects.exists()
        and not ImportProblem.objects.exists()
        and not Member.objects.exists()
    )


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes Vietnamese: letters like ơ, ê precomposed, the tone
    marks as combining characters after them."""
    out = bytearray()
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out += (base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


def a_workbook() -> bytes:
    return bytes(xlsx_upload(MEMBER_HEADER, [member_row(n) for n in range(1, 30)]).read())


def test_an_xlsx_cut_in_half_is_refused_as_damaged_and_nothing_is_kept(upload, settings):
    whole = a_workbook()
    status, body = upload("danh-sach.xlsx", whole[: len(whole) // 2])
    assert status == 400 and body["error"]["code"] == "invalid"
    assert body["error"]["fields"] == {"file": DAMAGED}
    assert nothing_kept(settings)


def test_a_zip_that_is_not_a_workbook_is_refused_as_damaged(upload, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải bảng tính")
    status, body = upload("danh-sach.xlsx", out.getvalue())
    assert status == 400 and body["error"]["fields"] == {"file": DAMAGED}
    assert nothing_kept(settings)


def test_bytes_that_only_start_like_a_zip_are_refused_as_damaged(upload, settings):
    status, body = upload("danh-sach.xlsx", b"PK\x03\x04" + bytes(range(256)) * 8)
    assert status == 400 and body["error"]["fields"] == {"file": DAMAGED}
    assert nothing_kept(settings)


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(upload, settings, monkeypatch):
    """The limit is 50 MB (issue 8); one of 1 MB shows the same path without sending 50."""
    monkeypatch.setattr(actions, "MAX_BYTES", 1024 * 1024)
    rows = "\r\n".join(";".join(member_row(n)) for n in range(1, 12000))
    content = ("\ufeff" + ";".join(MEMBER_HEADER) + "\r\n" + rows).encode()
    assert len(content) > 1024 * 1024
    status, body = upload("danh-sach.csv", content)
    assert status == 400 and body["error"]["fields"] == {"file": "Tệp quá lớn: tối đa 1 MB."}
    assert body["error"]["message"] == "Tệp quá lớn: tối đa 1 MB."
    assert nothing_kept(settings)


def test_a_file_just_under_the_size_limit_is_taken(upload, settings, monkeypatch):
    monkeypatch.setattr(actions, "MAX_BYTES", 1024 * 1024)
    content = ("\ufeff" + ";".join(MEMBER_HEADER) + "\r\n" + ";".join(member_row(1))).encode()
    status, _body = upload("danh-sach.csv", content.ljust(1024 * 1024, b" "))
    assert status == 201 and ImportJob.objects.count() == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "cp1258"])
def test_a_csv_not_in_utf8_is_refused_with_how_to_save_it(upload, settings, encoding):
    text = ";".join(MEMBER_HEADER) + "\r\n" + ";".join(member_row(1)) + "\r\n"
    content = cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    status, body = upload("danh-sach.csv", content)
    assert status == 400 and body["error"]["fields"]["file"].startswith(NOT_UTF8)
    assert nothing_kept(settings)


def test_an_empty_file_is_refused(upload, settings):
    status, body = upload("danh-sach.csv", b"")
    assert status == 400 and body["error"]["fields"] == {"file": "Tệp trống."}
    assert nothing_kept(settings)


def test_an_image_sent_as_a_csv_is_refused(upload, settings):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(128, 256)) * 4
    status, body = upload("danh-sach.csv", png)
    assert status == 400 and body["error"]["fields"]["file"].startswith(NOT_UTF8)
    assert nothing_kept(settings)


def test_a_csv_whose_rows_turn_to_another_encoding_is_refused_at_upload_and_kept_nowhere(
    client, tree, staff, settings
):
    """The whole file is read as UTF-8 when it is uploaded (reading.check_text), so rows
    far below the header in Windows-1258 are refused at once, with where they start, and
    no job is left to fail in the background."""
    raw, _token = issue_api_token(staff, by=staff)
    headers = {"Authorization": f"Bearer {raw}"}
    lines = [";".join(MEMBER_HEADER)] + [";".join(member_row(n)) for n in range(1, 200)]
    head = ("\r\n".join(lines) + "\r\n").encode()
    tail = cp1258(";".join(member_row(200)))
    content = head + tail
    first_bad = len(head) + next(i for i, byte in enumerate(tail) if byte >= 0x80) + 1
    data = {
        "kind": "members",
        "organisation_id": tree["commune"].pk,
        "file": SimpleUploadedFile("danh-sach.csv", content),
    }
    response = client.post("/api/v1/imports", data=data, headers=headers)
    assert response.status_code == 400
    message = json.loads(response.content)["error"]["fields"]["file"]
    assert message.startswith(NOT_UTF8)
    assert len(head) > 8192 and f"byte thứ {first_bad:,}.".replace(",", ".") in message
    assert not ImportJob.objects.exists() and nothing_kept(settings)
    assert not Member.objects.exists() and not ImportProblem.objects.exists()
