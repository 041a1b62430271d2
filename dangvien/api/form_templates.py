"""Form templates over JSON (issue 8: a province replaces a form's template without a
code change): ``GET /form-templates``, ``GET|PUT|DELETE /form-templates/{form}``. Mounted
at the API root.

``province`` picks the tree (default: the first the user's roles lie in; a superuser sees
every root). A province outside the user's trees → 404; reading is open to everyone in
the tree; writing needs the province's organisation board (BOARD_STAFF at the root) or a
superuser → else 403; a template with problems → 409 ``invalid_template`` with the list
in ``error.fields.text`` (one problem a line).
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.documents.actions.templates import (
    InvalidTemplate,
    reset_form_template,
    save_form_template,
)
from dangvien.documents.forms import Form, find_form
from dangvien.documents.models import FormTemplate
from dangvien.documents.templating import (
    MAX_TEMPLATE_BYTES,
    can_manage_templates,
    default_text,
    has_default,
    province_template,
    provinces_for,
    template_rows,
)
from dangvien.organisations.models import Organisation

router = Router(tags=["Mẫu văn bản"])


class ProvinceFilter(Schema):
    province: int | None = Field(
        None, description="Tỉnh (gốc cây tổ chức); mặc định: tỉnh đầu tiên của người dùng"
    )


class TemplateSummary(Schema):
    form: str = Field(description="Mã mẫu, ví dụ 9-KNĐ")
    slug: str
    title: str
    source: str = Field(description="`province`: mẫu của tỉnh; `default`: mẫu mặc định")
    has_default: bool
    by: str | None
    at: datetime | None
    note: str


class TemplatePage(Schema):
    province_id: int
    can_manage: bool = Field(description="Người dùng được thay mẫu của tỉnh này")
    count: int
    items: list[TemplateSummary]


class TemplateOut(TemplateSummary):
    province_id: int
    can_manage: bool
    text: str = Field(description="Nội dung mẫu đang dùng")
    default_text: str | None = Field(description="Nội dung mẫu mặc định (null: chưa có)")


class TemplateIn(Schema):
    text: str = Field(min_length=1, max_length=MAX_TEMPLATE_BYTES, description="Nội dung mẫu")
    note: str = Field("", max_length=200, description="Ghi chú (căn cứ thay mẫu)")


def _province(request: HttpRequest, wanted: int | None) -> Organisation:
    provinces = provinces_for(user_of(request))
    if wanted is not None:
        provinces = [p for p in provinces if p.pk == wanted]
    if not provinces:
        raise ApiError(404)
    return provinces[0]


def _form(code: str) -> Form:
    form = find_form(code)
    if form is None:
        raise ApiError(404, "Không có mẫu văn bản này.")
    return form


def _summary(form: Form, own: FormTemplate | None, default: bool) -> dict[str, Any]:
    return {
        "form": form.code,
        "slug": form.slug,
        "title": form.title,
        "source": "province" if own else "default",
        "has_default": default,
        "by": str(own.by) if own and own.by else None,
        "at": own.at if own else None,
        "note": own.note if own else "",
    }


def _detail(request: HttpRequest, province: Organisation, form: Form) -> dict[str, Any]:
    own = province_template(form, province)
    default = has_default(form)
    if own is None and not default:
        raise ApiError(404, "Mẫu này chưa có nội dung.")
    return {
        **_summary(form, own, default),
        "province_id": province.pk,
        "can_manage": can_manage_templates(user_of(request), province),
        "text": own.text if own else default_text(form),
        "default_text": default_text(form) if default else None,
    }


@router.get(
    "/form-templates",
    response={200: TemplatePage, **responses(400, 401, 404)},
    url_name="form-templates",
)
def list_templates(request: HttpRequest, filters: Query[ProvinceFilter]) -> dict[str, Any]:
    """Every form with the source of its template in the province: the province's own
    (who, when, note) or the default."""
    province = _province(request, filters.province)
    items = [_summary(r["form"], r["own"], r["has_default"]) for r in template_rows(province)]
    return {
        "province_id": province.pk,
        "can_manage": can_manage_templates(user_of(request), province),
        "count": len(items),
        "items": items,
    }


@router.get(
    "/form-templates/{form}",
    response={200: TemplateOut, **responses(400, 401, 404)},
    url_name="form-template",
)
def get_template(request: HttpRequest, form: str, filters: Query[ProvinceFilter]) -> dict[str, Any]:
    """The template a form is rendered from in the province (`text`), its source, and the
    default text. `form` as printed ("9-KNĐ") or in ASCII ("9-KND")."""
    return _detail(request, _province(request, filters.province), _form(form))


@router.put(
    "/form-templates/{form}",
    response={200: TemplateOut, **responses(400, 401, 403, 404, 409)},
)
def put_template(
    request: HttpRequest, form: str, payload: TemplateIn, filters: Query[ProvinceFilter]
) -> dict[str, Any]:
    """The province's own template of `form` becomes `text` (Django template syntax and
    the line markup of the documents). Checked first against the form's sample data:
    template syntax errors, unknown `@` lines, tables with uneven rows → 409
    `invalid_template`, the problems in `error.fields.text`, one a line; nothing saved."""
    province = _province(request, filters.province)
    found = _form(form)
    try:
        save_form_template(province, found, payload.text, by=user_of(request), note=payload.note)
    except InvalidTemplate as error:
        raise ApiError(
            409,
            "Mẫu không dùng được: " + "; ".join(error.problems[:3]),
            code="invalid_template",
            fields={"text": "\n".join(error.problems)},
        ) from None
    return _detail(request, province, found)


@router.delete(
    "/form-templates/{form}",
    response={200: TemplateOut, **responses(400, 401, 403, 404, 409)},
)
def delete_template(
    request: HttpRequest, form: str, filters: Query[ProvinceFilter]
) -> dict[str, Any]:
    """The province goes back to the default template of `form` (nothing to remove is not
    an error). Answers the template now in use."""
    province = _province(request, filters.province)
    found = _form(form)
    reset_form_template(province, found, by=user_of(request))
    return _detail(request, province, found)
