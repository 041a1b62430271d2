"""Writes on the provinces' form templates (issue 8: an administrator replaces a form's
template per province, without a code change, and can go back to the default)."""

from typing import TYPE_CHECKING

from django.utils import timezone

from dangvien.core.actions import action
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.documents.forms import Form
from dangvien.documents.models import FormTemplate
from dangvien.documents.templating import MAX_TEMPLATE_BYTES, can_manage_templates, check_template
from dangvien.organisations.models import Organisation

if TYPE_CHECKING:
    from dangvien.accounts.models import User


class InvalidTemplate(DomainError):
    """The uploaded text cannot be used; ``problems`` lists why, line by line."""

    code = "invalid_template"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Mẫu không dùng được: " + "; ".join(problems), field="text")
        self.problems = problems


def _allowed(province: Organisation, by: "User") -> None:
    if province.depth != 0:
        raise DomainError("Mẫu văn bản chỉ thay ở cấp tỉnh (tổ chức cao nhất của cây).")
    if not can_manage_templates(by, province):
        raise NotAllowed("Chỉ ban tổ chức cấp tỉnh (hoặc quản trị hệ thống) được thay mẫu văn bản.")


def decode_template(data: bytes) -> str:
    """An uploaded file as text: UTF-8 (a byte-order mark is dropped), at most 200 KB."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InvalidTemplate([f"Tệp lớn hơn {MAX_TEMPLATE_BYTES // 1024} KB."])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidTemplate(
            [f"Tệp không phải văn bản UTF-8 (byte thứ {error.start + 1} không đọc được)."]
        ) from None


@action
def save_form_template(
    province: Organisation,
    form: Form,
    text: str,
    *,
    by: "User",
    note: str = "",
    original_name: str = "",
) -> FormTemplate:
    """The province's template of ``form`` becomes ``text`` (issue 8 [U]), after
    ``check_template`` found no problem; refused with the list of problems otherwise."""
    _allowed(province, by)
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise InvalidTemplate([f"Mẫu dài hơn {MAX_TEMPLATE_BYTES // 1024} KB."])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = check_template(form, text)
    if problems:
        raise InvalidTemplate(problems)
    Organisation.objects.select_for_update(of=("self",)).get(pk=province.pk)
    row, _created = FormTemplate.objects.update_or_create(
        province=province,
        form=form.code,
        defaults={
            "text": text,
            "note": note.strip()[:200],
            "original_name": original_name[:255],
            "by": by,
            "at": timezone.now(),
        },
    )
    return row


@action
def reset_form_template(province: Organisation, form: Form, *, by: "User") -> bool:
    """The province goes back to the shipped template of ``form`` (issue 8). Answers
    whether there was a template of its own to remove."""
    _allowed(province, by)
    deleted, _ = FormTemplate.objects.filter(province=province, form=form.code).delete()
    return bool(deleted)
