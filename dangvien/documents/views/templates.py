"""Pages "Mẫu văn bản": each form's template in the province, download the current text
and the default, upload a replacement, go back to the default, preview (issue 8).

Everyone whose roles lie in a province sees its list read-only; the province's
organisation board and superusers change it (``templating.can_manage_templates``). A
province outside the user's trees answers 404.
"""

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.documents import templating
from dangvien.documents.actions.templates import (
    InvalidTemplate,
    decode_template,
    reset_form_template,
    save_form_template,
)
from dangvien.documents.forms import Form, find_form
from dangvien.documents.render import CONTENT_TYPES
from dangvien.documents.render import render as render_document
from dangvien.documents.templating import (
    MAX_TEMPLATE_BYTES,
    can_manage_templates,
    default_text,
    has_default,
    province_template,
    provinces_for,
    template_rows,
    template_text,
)
from dangvien.organisations.models import Organisation


class UploadForm(djforms.Form):
    file = djforms.FileField(label="Tệp mẫu (.txt, UTF-8, tối đa 200 KB)")
    note = djforms.CharField(label="Ghi chú", max_length=200, required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".txt"):
            raise djforms.ValidationError("Chỉ nhận tệp văn bản .txt.")
        if upload.size > MAX_TEMPLATE_BYTES:
            raise djforms.ValidationError("Tệp lớn hơn 200 KB.")
        return upload


def _province(request: AuthedRequest) -> tuple[Organisation, list[Organisation]]:
    provinces = provinces_for(request.user)
    wanted = request.GET.get("tinh") or request.POST.get("tinh")
    if wanted:
        chosen = [p for p in provinces if str(p.pk) == wanted]
        if not chosen:
            raise Http404
        return chosen[0], provinces
    if not provinces:
        raise Http404
    return provinces[0], provinces


def _form(slug: str) -> Form:
    form = find_form(slug)
    if form is None:
        raise Http404
    return form


def _detail_url(form: Form, province: Organisation) -> str:
    return f"{reverse('documents:template', args=[form.slug])}?tinh={province.pk}"


def _text_file(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def template_list(request: AuthedRequest) -> HttpResponse:
    province, provinces = _province(request)
    context = {
        "nav": "templates",
        "province": province,
        "provinces": provinces,
        "rows": template_rows(province),
        "can_manage": can_manage_templates(request.user, province),
    }
    return render(request, "documents/templates/list.html", context)


@login_required
def template_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    """GET: the form's template and its source; POST: upload a replacement (409 with the
    list of problems when ``check_template`` finds any)."""
    province, _ = _province(request)
    form = _form(slug)
    manage = can_manage_templates(request.user, province)
    upload = UploadForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if not manage:
            status = 403
            problems = ["Chỉ ban tổ chức cấp tỉnh (hoặc quản trị hệ thống) được thay mẫu."]
        else:
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                file = upload.cleaned_data["file"]
                try:
                    text = decode_template(file.read())
                    save_form_template(
                        province,
                        form,
                        text,
                        by=request.user,
                        note=upload.cleaned_data["note"],
                        original_name=file.name,
                    )
                except InvalidTemplate as error:
                    problems, status = error.problems, 409
                except DomainError as error:
                    problems, status = [str(error)], 409
                else:
                    messages.success(request, f"Đã thay mẫu {form.code} của {province.name}.")
                    return redirect(_detail_url(form, province))
            else:
                status = 400
    context = {
        "nav": "templates",
        "province": province,
        "form": form,
        "own": province_template(form, province),
        "has_default": has_default(form),
        "can_manage": manage,
        "upload": upload,
        "problems": problems,
    }
    return render(request, "documents/templates/detail.html", context, status=status)


@login_required
def template_current(request: AuthedRequest, slug: str) -> HttpResponse:
    province, _ = _province(request)
    form = _form(slug)
    try:
        text = template_text(form, province)
    except FileNotFoundError:
        raise Http404 from None
    return _text_file(text, f"{form.slug}.txt")


@login_required
def template_default(request: AuthedRequest, slug: str) -> HttpResponse:
    form = _form(slug)
    _province(request)  # 404 for a user without any tree
    if not has_default(form):
        raise Http404
    return _text_file(default_text(form), f"{form.slug}-mac-dinh.txt")


@require_POST
@login_required
def template_reset(request: AuthedRequest, slug: str) -> HttpResponse:
    province, _ = _province(request)
    form = _form(slug)
    try:
        removed = reset_form_template(province, form, by=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(form, province))
    messages.success(
        request,
        f"Mẫu {form.code} đã trở về mẫu mặc định."
        if removed
        else f"Mẫu {form.code} vẫn đang là mẫu mặc định.",
    )
    return redirect(_detail_url(form, province))


@login_required
def template_preview(request: AuthedRequest, slug: str) -> HttpResponse:
    """The form's current template filled with its sample data, as PDF."""
    province, _ = _province(request)
    form = _form(slug)
    try:
        pdf = render_document(form, templating.sample_for(form), "pdf", province)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(pdf, content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = (
        content_disposition_header(False, f"{form.slug}-xem-thu.pdf") or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("mau/", template_list, name="templates"),
    path("mau/<str:slug>/", template_detail, name="template"),
    path("mau/<str:slug>/noi-dung.txt", template_current, name="template-text"),
    path("mau/<str:slug>/mac-dinh.txt", template_default, name="template-default"),
    path("mau/<str:slug>/dat-lai/", template_reset, name="template-reset"),
    path("mau/<str:slug>/xem-thu.pdf", template_preview, name="template-preview"),
]
