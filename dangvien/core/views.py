from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own CSRF page is English: ours says what happened in Vietnamese."""
    return render(request, "403_csrf.html", status=403)
