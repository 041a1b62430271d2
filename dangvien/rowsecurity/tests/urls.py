"""Test-only pages: what a careless view would do (no scope filter at all)."""

from collections.abc import Iterator

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path

from dangvien.members.models import Member


def every_member(request: HttpRequest) -> JsonResponse:
    """The forgotten filter: ``Member.objects.all()``."""
    return JsonResponse({"names": sorted(str(m.person) for m in Member.objects.all())})


def scope_now(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('dangvien.scope', true)")
        return JsonResponse({"scope": cursor.fetchone()[0]})


def fails(request: HttpRequest) -> HttpResponse:
    Member.objects.count()
    raise RuntimeError("the view failed")


def streamed(request: HttpRequest) -> StreamingHttpResponse:
    """Rows read while the response is sent, after the view returned."""

    def lines() -> Iterator[str]:
        for member in Member.objects.select_related("person").iterator():
            yield f"{member.person}\n"

    return StreamingHttpResponse(lines(), content_type="text/plain")


urlpatterns = [
    path("every-member/", every_member),
    path("scope-now/", scope_now),
    path("fails/", fails),
    path("streamed/", streamed),
]
