from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from dangvien.core.errors import DomainError
from dangvien.organisations.actions import update_organisation
from dangvien.organisations.models import Organisation, ParentRule


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Committee data only: kind and place in the tree are fixed here, because moving a
    node rewrites the paths copied onto members and candidates (``move_organisation``)."""

    list_display = ["name", "kind", "parent", "depth", "authorised_to_admit"]
    list_filter = ["kind", "depth"]
    search_fields = ["name"]
    fields = [
        "name",
        "kind",
        "parent",
        "code",
        "authorised_to_admit",
        "committee_size",
        "standing_committee_size",
        "path",
        "depth",
    ]
    readonly_fields = ["kind", "parent", "path", "depth"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # nodes are created through actions so the path stays right

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        try:
            update_organisation(
                Organisation.objects.get(pk=obj.pk),
                by=request.user,
                name=obj.name,
                code=obj.code,
                authorised_to_admit=obj.authorised_to_admit,
                committee_size=obj.committee_size,
                standing_committee_size=obj.standing_committee_size,
            )
        except DomainError as error:
            messages.error(request, str(error))


@admin.register(ParentRule)
class ParentRuleAdmin(admin.ModelAdmin):
    list_display = ["parent_kind", "child_kind"]
