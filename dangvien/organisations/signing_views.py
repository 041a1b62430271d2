"""The organisation page's "Thể thức văn bản" card: how the node signs its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.organisations import actions
from dangvien.organisations.forms import SigningForm
from dangvien.organisations.views import _detail_context, _editable, _refused


@require_POST
@login_required
def signing(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _editable(request, pk)
    form = SigningForm(request.POST)
    if form.is_valid():
        try:
            actions.set_document_signing(org, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Đã cập nhật thể thức văn bản của {org.name}.")
            return redirect("organisations:detail", org.pk)
    context = _detail_context(request, org)
    context["signing_form"] = form
    return render(request, "organisations/detail.html", context, status=409)
