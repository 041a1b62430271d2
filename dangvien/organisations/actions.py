"""Writes to the organisation tree."""

from typing import Any

from django.apps import apps
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from dangvien.core.actions import action
from dangvien.core.errors import DomainError
from dangvien.core.text import collation_key, nfc
from dangvien.organisations.models import Kind, Organisation, path_segment
from dangvien.organisations.queries import parent_allowed

# Fields that carry a copy of a unit's path (SCALE.md: "copy the ancestor path onto member,
# candidate and other fact rows ... update them when a subtree moves"). Every model field
# with one of these names is rewritten, so a new fact table cannot be forgotten.
PATH_COPY_FIELDS = ("org_path", "to_path")


def path_copies() -> list[tuple[Any, str]]:
    """(model, field) for every copied path in the project."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name in PATH_COPY_FIELDS
    ]


class TreeRuleBroken(DomainError):
    code = "tree_rule"


def _check_parent(kind: str, parent: Organisation | None) -> None:
    parent_kind = parent.kind if parent else ""
    if not parent_allowed(parent_kind, kind):
        raise TreeRuleBroken(
            f"Không thể đặt {Kind(kind).label} dưới "
            f"{Kind(parent_kind).label if parent else 'cấp cao nhất'}."
        )


@action
def create_organisation(
    *,
    name: str,
    kind: str,
    parent: Organisation | None,
    by: Any,
    code: str = "",
    authorised_to_admit: bool = False,
    committee_size: int | None = None,
    standing_committee_size: int | None = None,
) -> Organisation:
    """Add a node under ``parent``; which kinds may nest is data (``ParentRule``)."""
    _check_parent(kind, parent)
    if authorised_to_admit and kind != Kind.GRASSROOTS_COMMITTEE:
        raise TreeRuleBroken("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
    name = nfc(name)
    org = Organisation.objects.create(
        name=name,
        kind=kind,
        parent=parent,
        path=f"tmp-{name}-{id(name)}",
        depth=(parent.depth + 1) if parent else 0,
        code=code,
        authorised_to_admit=authorised_to_admit,
        committee_size=committee_size,
        standing_committee_size=standing_committee_size,
        sort_key=collation_key(name),
    )
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.save(update_fields=["path"])
    return org


@action
def update_organisation(
    org: Organisation,
    *,
    by: Any,
    name: str,
    code: str = "",
    authorised_to_admit: bool = False,
    committee_size: int | None = None,
    standing_committee_size: int | None = None,
) -> Organisation:
    """Rename a node or change its committee data; kind and place in the tree change only
    through ``move_organisation`` (paths are copied onto fact rows)."""
    if authorised_to_admit and org.kind != Kind.GRASSROOTS_COMMITTEE:
        raise TreeRuleBroken("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
    name = nfc(name)
    if not name:
        raise TreeRuleBroken("Cần ghi tên tổ chức.")
    Organisation.objects.filter(pk=org.pk).update(
        name=name,
        sort_key=collation_key(name),
        code=code.strip(),
        authorised_to_admit=authorised_to_admit,
        committee_size=committee_size,
        standing_committee_size=standing_committee_size,
    )
    org.refresh_from_db()
    return org


@action
def move_organisation(org: Organisation, *, new_parent: Organisation, by: Any) -> Organisation:
    """Move a subtree, rewriting the paths of its nodes and of the facts under it."""
    if new_parent.path.startswith(org.path):
        raise TreeRuleBroken("Không thể chuyển một tổ chức vào chính cấp dưới của nó.")
    _check_parent(org.kind, new_parent)
    old_path = org.path
    new_path = new_parent.path + path_segment(org.pk)
    depth_change = new_parent.depth + 1 - org.depth
    rest = Substr("path", len(old_path) + 1)
    Organisation.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), rest), depth=F("depth") + depth_change
    )
    for model, field in path_copies():
        model.objects.filter(**{f"{field}__startswith": old_path}).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    return org
