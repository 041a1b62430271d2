"""A chi bộ chosen by searching its name, for forms whose choice spans the whole country
(the destination of a transfer: 294-QĐ/TW §6.3.1). A plain ``<select>`` of every chi bộ
is 280,000 options at national size (a 29 MB page, 45 s to render: issue 9's load run)."""

from typing import Any

from django import forms
from django.urls import reverse

from dangvien.organisations.models import Organisation


class BranchSearchWidget(forms.Widget):
    """A search box (htmx: ``organisations:branch-search``) above the matching chi bộ as
    radio buttons named after the field; the chosen one stays shown when the form comes
    back with an error. ``exclude``: a chi bộ never offered (the member's own)."""

    template_name = "organisations/widgets/branch_search.html"

    def __init__(self, attrs: dict[str, Any] | None = None, exclude: int | None = None) -> None:
        super().__init__(attrs)
        self.exclude = exclude

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = None
        if value not in (None, ""):
            chosen = Organisation.objects.filter(pk=value).select_related("parent").first()
        url = reverse("organisations:branch-search")
        query = f"?field={name}" + (f"&exclude={self.exclude}" if self.exclude else "")
        context["widget"].update({"search_url": url + query, "chosen": chosen})
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)
