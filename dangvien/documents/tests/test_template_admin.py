"""Template administration: the province's organisation board replaces a form's template,
goes back to the default, everyone in the tree reads (issue 8); pages and API."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role, User
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.documents import templating
from dangvien.documents.actions.templates import (
    InvalidTemplate,
    decode_template,
    reset_form_template,
    save_form_template,
)
from dangvien.documents.forms import BY_CODE
from dangvien.documents.models import FormTemplate
from dangvien.documents.tests.test_render import CONTEXT, DECISION
from dangvien.factories import make_user, user_with_role
from dangvien.organisations.models import Organisation

FORM = BY_CODE["9-KNĐ"]
GOOD = "@header\n# Quyết định\n## Về việc kết nạp **{{ person.full_name }}**\n"
BAD = "# Quyết định\n@chuky\n| a | b |\n| c |\n"


@pytest.fixture(autouse=True)
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "9-KND.txt").write_text(DECISION, encoding="utf-8")
    monkeypatch.setattr(templating, "FORMS_DIR", tmp_path)
    monkeypatch.setattr(templating, "sample_for", lambda form: CONTEXT)
    return tmp_path


@pytest.fixture
def province_board(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


@pytest.fixture
def commune_board(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def other_province(db: Any) -> Organisation:
    return Organisation.objects.create(name="Tỉnh ủy Khác", kind="province")


# ---- actions -----------------------------------------------------------------------------


def test_the_province_board_replaces_a_template_and_goes_back_to_the_default(
    tree: dict[str, Organisation], province_board: User
) -> None:
    row = save_form_template(
        tree["province"], FORM, GOOD, by=province_board, note="Theo HD 12", original_name="a.txt"
    )
    assert (row.text, row.note, row.by) == (GOOD, "Theo HD 12", province_board)
    assert templating.template_text(FORM, tree["village"]) == GOOD
    assert reset_form_template(tree["province"], FORM, by=province_board) is True
    assert templating.template_text(FORM, tree["village"]) == DECISION
    assert reset_form_template(tree["province"], FORM, by=province_board) is False


def test_a_superuser_may_replace_a_template(tree: dict[str, Organisation]) -> None:
    admin = make_user(is_superuser=True)
    save_form_template(tree["province"], FORM, GOOD, by=admin)
    assert FormTemplate.objects.get(province=tree["province"]).text == GOOD


def test_a_board_below_the_province_may_not_replace_a_template(
    tree: dict[str, Organisation], commune_board: User
) -> None:
    with pytest.raises(NotAllowed, match="Chỉ ban tổ chức cấp tỉnh"):
        save_form_template(tree["province"], FORM, GOOD, by=commune_board)
    with pytest.raises(NotAllowed):
        reset_form_template(tree["province"], FORM, by=commune_board)
    assert not FormTemplate.objects.exists()


def test_templates_are_replaced_only_at_the_root_of_the_tree(
    tree: dict[str, Organisation],
) -> None:
    with pytest.raises(DomainError, match="chỉ thay ở cấp tỉnh"):
        save_form_template(tree["commune"], FORM, GOOD, by=make_user(is_superuser=True))


def test_a_template_with_problems_is_refused_with_the_list_and_nothing_saved(
    tree: dict[str, Organisation], province_board: User
) -> None:
    with pytest.raises(InvalidTemplate) as refused:
        save_form_template(tree["province"], FORM, BAD, by=province_board)
    assert refused.value.problems == [
        "Dòng 2: lệnh “@chuky” không có trong mẫu",
        "Dòng 4: hàng bảng có 1 cột, hàng đầu của bảng có 2 cột",
    ]
    assert refused.value.field == "text"
    assert not FormTemplate.objects.exists()


def test_an_upload_must_be_utf8_text_of_at_most_200_kb() -> None:
    assert decode_template("\ufeff# Quyết định".encode()) == "# Quyết định"
    with pytest.raises(InvalidTemplate, match="không phải văn bản UTF-8"):
        decode_template("# Quyết định".encode("utf-16"))
    with pytest.raises(InvalidTemplate, match="lớn hơn 200 KB"):
        decode_template(b"a" * (200 * 1024 + 1))


# ---- pages -------------------------------------------------------------------------------


def test_the_list_shows_every_form_and_its_source_read_only_below_the_province(
    client: Client, tree: dict[str, Organisation], province_board: User
) -> None:
    save_form_template(tree["province"], FORM, GOOD, by=province_board, note="Theo HD 12")
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get("/van-ban/mau/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "9-KNĐ" in html and "Mẫu của tỉnh" in html and "Theo HD 12" in html
    assert "bạn chỉ xem" in html
    detail = client.get(f"/van-ban/mau/9-KND/?tinh={tree['province'].pk}")
    assert detail.status_code == 200 and "Thay mẫu của tỉnh" not in detail.content.decode()


def test_a_province_outside_the_users_tree_answers_404(
    client: Client, tree: dict[str, Organisation], other_province: Organisation
) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    assert client.get(f"/van-ban/mau/?tinh={other_province.pk}").status_code == 404
    assert (
        client.get(f"/van-ban/mau/9-KND/noi-dung.txt?tinh={other_province.pk}").status_code == 404
    )
    client.force_login(make_user())  # no role anywhere
    assert client.get("/van-ban/mau/").status_code == 404


def test_uploading_on_the_page_lists_the_problems_or_replaces_the_template(
    client: Client, tree: dict[str, Organisation], province_board: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(province_board)
    url = f"/van-ban/mau/9-KND/?tinh={tree['province'].pk}"
    bad = client.post(url, {"file": SimpleUploadedFile("mau.txt", BAD.encode())})
    assert bad.status_code == 409
    assert "Dòng 2: lệnh “@chuky” không có trong mẫu" in bad.content.decode()
    not_txt = client.post(url, {"file": SimpleUploadedFile("mau.docx", GOOD.encode())})
    assert not_txt.status_code == 400 and "Chỉ nhận tệp văn bản .txt." in not_txt.content.decode()
    good = client.post(
        url, {"file": SimpleUploadedFile("mau.txt", GOOD.encode()), "note": "Bản tỉnh"}
    )
    assert good.status_code == 302
    row = FormTemplate.objects.get()
    assert (row.text, row.original_name, row.note) == (GOOD, "mau.txt", "Bản tỉnh")

    current = client.get(f"/van-ban/mau/9-KND/noi-dung.txt?tinh={tree['province'].pk}")
    assert current.content.decode() == GOOD
    assert current["Content-Disposition"] == 'attachment; filename="9-KND.txt"'
    default = client.get(f"/van-ban/mau/9-KND/mac-dinh.txt?tinh={tree['province'].pk}")
    assert default.content.decode() == DECISION
    preview = client.get(f"/van-ban/mau/9-KND/xem-thu.pdf?tinh={tree['province'].pk}")
    assert preview["Content-Type"] == "application/pdf" and preview.content.startswith(b"%PDF-")

    reset = client.post(f"/van-ban/mau/9-KND/dat-lai/?tinh={tree['province'].pk}")
    assert reset.status_code == 302 and not FormTemplate.objects.exists()


def test_a_reader_may_not_upload_or_reset_on_the_page(
    client: Client, tree: dict[str, Organisation], commune_board: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(commune_board)
    url = f"/van-ban/mau/9-KND/?tinh={tree['province'].pk}"
    assert client.post(url, {"file": SimpleUploadedFile("m.txt", GOOD.encode())}).status_code == 403
    assert client.post(f"/van-ban/mau/9-KND/dat-lai/?tinh={tree['province'].pk}").status_code == 403
    assert not FormTemplate.objects.exists()


def test_an_unknown_form_answers_404(client: Client, province_board: User) -> None:
    client.force_login(province_board)
    assert client.get("/van-ban/mau/99-KND/").status_code == 404


# ---- API ---------------------------------------------------------------------------------


def api(client: Client, user: User, method: str, path: str, body: Any = None) -> Any:
    raw, _ = issue_api_token(user, by=user)
    response = getattr(client, method)(
        f"/api/v1{path}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    return response.status_code, json.loads(response.content)


def test_the_api_lists_reads_replaces_and_resets_a_template(
    client: Client, tree: dict[str, Organisation], province_board: User
) -> None:
    status, page = api(client, province_board, "get", "/form-templates")
    assert status == 200 and page["can_manage"] and page["count"] == len(page["items"])
    nine = next(item for item in page["items"] if item["form"] == "9-KNĐ")
    assert nine["source"] == "default" and nine["has_default"]

    status, body = api(
        client, province_board, "put", "/form-templates/9-KND", {"text": GOOD, "note": "HD 12"}
    )
    assert status == 200
    assert (body["source"], body["text"], body["default_text"]) == ("province", GOOD, DECISION)
    assert body["note"] == "HD 12"

    status, body = api(client, province_board, "get", "/form-templates/9-KNĐ")
    assert status == 200 and body["text"] == GOOD

    status, body = api(client, province_board, "delete", "/form-templates/9-KND")
    assert status == 200 and body["source"] == "default" and body["text"] == DECISION


def test_the_api_refuses_a_bad_template_with_its_problems_in_fields_text(
    client: Client, province_board: User
) -> None:
    status, body = api(client, province_board, "put", "/form-templates/9-KND", {"text": BAD})
    assert status == 409
    assert body["error"]["code"] == "invalid_template"
    assert body["error"]["fields"]["text"].splitlines() == [
        "Dòng 2: lệnh “@chuky” không có trong mẫu",
        "Dòng 4: hàng bảng có 1 cột, hàng đầu của bảng có 2 cột",
    ]
    assert not FormTemplate.objects.exists()


def test_the_api_answers_403_to_a_reader_and_404_outside_or_for_an_unknown_form(
    client: Client,
    tree: dict[str, Organisation],
    commune_board: User,
    other_province: Organisation,
) -> None:
    status, body = api(client, commune_board, "put", "/form-templates/9-KND", {"text": GOOD})
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, _ = api(client, commune_board, "delete", "/form-templates/9-KND")
    assert status == 403
    status, _ = api(client, commune_board, "get", f"/form-templates?province={other_province.pk}")
    assert status == 404
    status, _ = api(client, commune_board, "get", "/form-templates/99-KND")
    assert status == 404
    status, body = api(client, commune_board, "put", "/form-templates/9-KND", {"text": ""})
    assert status == 400 and "text" in body["error"]["fields"]
