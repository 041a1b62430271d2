"""Recording a disciplinary decision on a member (``discipline-new``,
``/danh-gia/ky-luat/<member_pk>/``), so the rating rule can apply it: disciplined in the
period caps the rating (``review.disciplined_max_rating``; 16-HD/BTCTW 2018, 124-QĐ/TW
[C]; 366-QĐ/TW [U]). The member page links here from its "Kiểm điểm, xếp loại" card."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.members.models import Member
from dangvien.members.queries import visible_members
from dangvien.reviews.actions import can_record_discipline, record_discipline
from dangvien.reviews.forms import DisciplineForm
from dangvien.reviews.views.periods import refused


def may_record_discipline(user: Any, member: Member) -> bool:
    """The chi bộ (``branch_moves``) or a committee (``decide``) over the member; the
    action checks the same."""
    return member.is_active and can_record_discipline(user, member)


@login_required
def discipline_new(request: AuthedRequest, member_pk: int) -> HttpResponse:
    member = get_object_or_404(visible_members(request.user), pk=member_pk)
    if not may_record_discipline(request.user, member):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = DisciplineForm(request.POST)
        if form.is_valid():
            try:
                record_discipline(member, by=request.user, **form.cleaned_data)
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                refused(form, error)
                status = 409
            else:
                messages.success(
                    request,
                    f"Đã ghi nhận quyết định kỷ luật số {form.cleaned_data['decision_no']} "
                    f"đối với đồng chí {member.person.full_name}.",
                )
                return redirect("members:detail", member.pk)
        else:
            status = 400
    else:
        form = DisciplineForm(
            initial={"decided_on": timezone.localdate(), "body": member.branch.name}
        )
    context = {
        "nav": "members",
        "member": member,
        "form": form,
        "disciplines": member.disciplines.order_by("-decided_on", "-pk"),
    }
    return render(request, "reviews/discipline_new.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("ky-luat/<int:member_pk>/", discipline_new, name="discipline-new"),
]
