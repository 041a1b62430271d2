"""The register of outgoing documents (sổ đăng ký văn bản đi) at ``/van-ban/so-van-ban/``:
the numbers taken by the bodies the user sees, filtered by body, series and year, and a
form to take a number for a document made outside the system (36-HD/VPTW 2018 §II.1)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from dangvien.core.dates import BadDate, parse_day
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.documents.actions.register import take_number
from dangvien.documents.queries import registers
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations


class OutsideNumberForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Cơ quan ban hành", coerce=int)
    series = forms.CharField(label="Loại văn bản (viết tắt)", max_length=10, initial="CV")
    summary = forms.CharField(label="Trích yếu nội dung", max_length=300)
    issued_on = forms.CharField(label="Ngày ban hành (ngày/tháng/năm)", max_length=20)

    def __init__(self, bodies: list[Organisation], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in bodies]  # type: ignore[attr-defined]
        self.fields["issued_on"].initial = timezone.localdate().strftime("%d/%m/%Y")

    def clean_issued_on(self) -> Any:
        try:
            return parse_day(
                self.cleaned_data["issued_on"], label="Ngày ban hành", field="issued_on"
            )
        except BadDate as error:
            raise forms.ValidationError(str(error)) from error


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _page(request: AuthedRequest, form: OutsideNumberForm, status: int = 200) -> HttpResponse:
    user = request.user
    organisation = None
    if org_id := _int(request.GET.get("organisation")):
        organisation = get_object_or_404(visible_organisations(user), pk=org_id)
    series = request.GET.get("series", "").strip()[:10]
    year = _int(request.GET.get("year"))
    rows = registers.issued_documents(user, organisation=organisation, series=series, year=year)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "documents",
        "page": page,
        "rows": page.object_list,
        "organisation": organisation,
        "series": series,
        "year": year,
        "years": list(range(this_year, this_year - 10, -1)),
        "all_series": registers.series_in_use(user),
        "bodies": registers.registering_bodies(user),
        "form": form,
        "query": query.urlencode(),
    }
    return render(request, "documents/registers.html", context, status=status)


@login_required
def register_list(request: AuthedRequest) -> HttpResponse:
    """GET: the register; POST: take a number for a document made outside the system (one
    action; refusals shown on the page with 409, a body the role may not number with 403)."""
    bodies = registers.registering_bodies(request.user)
    if request.method != "POST":
        return _page(request, OutsideNumberForm(bodies))
    form = OutsideNumberForm(bodies, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    organisation = get_object_or_404(visible_organisations(request.user), pk=data["organisation"])
    try:
        issued = take_number(
            organisation,
            data["series"],
            on=data["issued_on"],
            by=request.user,
            summary=data["summary"],
        )
    except DomainError as error:
        name = error.field if error.field in form.fields else None
        form.add_error(name, str(error))
        return _page(request, form, status=403 if isinstance(error, NotAllowed) else 409)
    messages.success(request, f"Đã cấp số {issued.number_text} của {organisation.name}.")
    return redirect("documents:registers")


urlpatterns = [path("so-van-ban/", register_list, name="registers")]
