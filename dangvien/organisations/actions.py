"""Writes to the organisation tree."""

from typing import Any

from django.apps import apps
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from dangvien.core import audit
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, DomainError, NotEligible
from dangvien.core.text import checked_text, collation_key, fold, nfc
from dangvien.organisations.models import (
    GRASSROOTS,
    Kind,
    Organisation,
    Sector,
    Village,
    VillageKind,
    path_segment,
)
from dangvien.organisations.queries import (
    SECTOR_OWNERS,
    holds_villages,
    owners_below,
    parent_allowed,
    sector_owner,
)

# Fields that carry a copy of a unit's path (SCALE.md: "copy the ancestor path onto member,
# candidate and other fact rows ... update them when a subtree moves"). Every model field
# with one of these names is rewritten, so a new fact table cannot be forgotten.
PATH_COPY_FIELDS = ("org_path", "to_path")


def path_copies() -> list[tuple[Any, str]]:
    """(model, field) for every copied path in the project, except the append-only logs
    (``core.audit.GUARDED_MODELS``): the access log keeps the path a record had when it
    was read, and the database refuses to change a logged row (and the application's role
    may not even try: ``rowsecurity.roles.APPEND_ONLY``)."""
    return [
        (model, field.name)
        for model in apps.get_models()
        if model._meta.label_lower not in audit.GUARDED_MODELS
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
    sector: str | None = None,
) -> Organisation:
    """Add a node under ``parent``; which kinds may nest is data (``ParentRule``).

    Without ``sector`` the node takes its parent's, so a branch always carries its
    grassroots organisation's type (issue 6); a commune is "commune_ward", a grassroots
    organisation's type is empty until set. A sector given for a node below a grassroots
    organisation must be that organisation's.
    """
    _check_parent(kind, parent)
    if authorised_to_admit and kind != Kind.GRASSROOTS_COMMITTEE:
        raise TreeRuleBroken("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
    inherited = _inherited_sector(kind, parent)
    if sector is None:
        sector = inherited
    elif kind not in SECTOR_OWNERS and sector != inherited:
        owner = _owner_of(parent)
        raise NotEligible(_sector_decided_by(owner) if owner else _NO_SECTOR, field="sector")
    _check_sector(kind, sector)
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
        search_text=fold(name),
        sector=sector,
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
        search_text=fold(name),
        code=code.strip(),
        authorised_to_admit=authorised_to_admit,
        committee_size=committee_size,
        standing_committee_size=standing_committee_size,
    )
    org.refresh_from_db()
    return org


@action
def move_organisation(org: Organisation, *, new_parent: Organisation, by: Any) -> Organisation:
    """Move a subtree, rewriting the paths of its nodes and of the facts under it.

    The moved nodes take the new parent's sector, unless the moved node is a grassroots
    organisation or a commune with a sector of its own (issue 6); grassroots organisations
    inside the moved subtree keep theirs.
    """
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
    if not (org.kind in SECTOR_OWNERS and org.sector):
        _copy_sector_down(org, _inherited_sector(org.kind, new_parent))
        org.refresh_from_db()
    return org


# ---- sector (loại hình) ----------------------------------------------------------------

_NO_SECTOR = (
    "Chỉ đặt loại hình cho tổ chức cơ sở đảng (chi bộ cơ sở, đảng bộ cơ sở) "
    "hoặc đảng bộ xã, phường, đặc khu."
)


def _owner_of(parent: Organisation | None) -> Organisation | None:
    return sector_owner(parent) if parent is not None else None


def _inherited_sector(kind: str, parent: Organisation | None) -> str:
    """What a node of ``kind`` under ``parent`` carries when nobody chose: a commune is
    always "commune_ward"; a grassroots organisation's type is its own, empty (not known
    yet) until set, never its commune's (a school's đảng bộ is no commune); any other node
    copies its parent's."""
    if kind == Kind.COMMUNE:
        return Sector.COMMUNE_WARD
    if kind in GRASSROOTS:
        return ""
    return parent.sector if parent is not None else ""


def _sector_decided_by(owner: Organisation) -> str:
    if owner.kind == Kind.COMMUNE:
        return f"Loại hình do {owner.name} quyết định."
    return f"Loại hình do tổ chức cơ sở đảng {owner.name} quyết định."


def _check_sector(kind: str, sector: str) -> None:
    """A sector is a known choice (or empty: not known yet); a commune's is always
    "commune_ward" (DOMAIN.md §9: grassroots organisations by type)."""
    if sector and sector not in Sector.values:
        raise NotEligible("Loại hình không hợp lệ.", field="sector")
    if kind == Kind.COMMUNE and sector != Sector.COMMUNE_WARD:
        raise NotEligible(
            f"Đảng bộ xã, phường, đặc khu có loại hình “{Sector.COMMUNE_WARD.label}”.",
            field="sector",
        )


def _copy_sector_down(org: Organisation, sector: str) -> int:
    """One UPDATE by path prefix: ``org`` and every node below it, except the subtrees of
    the grassroots organisations (and communes) under it, which keep their own."""
    rows = Organisation.objects.filter(path__startswith=org.path)
    for path in owners_below(org):
        rows = rows.exclude(path__startswith=path)
    return rows.update(sector=sector)


@action
def set_sector(org: Organisation, sector: str, *, by: Any) -> Organisation:
    """Set the type (loại hình) of a grassroots organisation and copy it onto every node
    below it, so each branch carries its grassroots organisation's type and facts group by
    it with one join (DOMAIN.md §9, grassroots organisations by type; issue 6).

    Set only on a grassroots organisation (chi bộ cơ sở, đảng bộ cơ sở) or a commune
    (always "commune_ward"); a node under one takes its type from it. An empty sector
    means "not known yet".
    """
    row = Organisation.objects.select_for_update(of=("self",)).get(pk=org.pk)
    sector = (sector or "").strip()
    if row.kind not in SECTOR_OWNERS:
        owner = sector_owner(row)
        raise NotEligible(_sector_decided_by(owner) if owner else _NO_SECTOR, field="sector")
    _check_sector(row.kind, sector)
    _copy_sector_down(row, sector)
    org.refresh_from_db()
    return org


# ---- villages (thôn, tổ dân phố) -------------------------------------------------------


def _village_fields(
    organisation: Organisation,
    *,
    name: str,
    kind: str,
    branch: Organisation | None,
    village: Village | None = None,
) -> dict[str, Any]:
    """The checked fields of a village of ``organisation`` (``village``: the one edited)."""
    name = checked_text(name, what="tên thôn, tổ dân phố", field="name", max_length=120)
    if kind not in VillageKind.values:
        raise NotEligible("Loại thôn, tổ dân phố không hợp lệ.", field="kind")
    if branch is not None and (
        not branch.holds_members or not branch.path.startswith(organisation.path)
    ):
        raise NotEligible(
            f"Chi bộ phụ trách phải là một chi bộ thuộc {organisation.name}.", field="branch_id"
        )
    key = fold(name)
    others = Village.objects.filter(organisation=organisation)
    if village is not None:
        others = others.exclude(pk=village.pk)
    for other_name, other_active in others.values_list("name", "active"):
        if fold(other_name) == key:
            closed = "" if other_active else " (đã đóng: mở lại thay vì thêm mới)"
            raise Conflict(
                f"{organisation.name} đã có thôn, tổ dân phố “{other_name}”{closed}.",
                field="name",
            )
    return {"name": name, "kind": kind, "branch": branch}


@action
def add_village(
    organisation: Organisation,
    *,
    name: str,
    kind: str = VillageKind.VILLAGE,
    branch: Organisation | None = None,
    by: Any,
) -> Village:
    """Add a village or residential group (thôn, tổ dân phố) to a commune, with the
    residential chi bộ in charge of it if known (issue 6; DOMAIN.md §9 counts villages
    without members and branches shared between villages).

    Names are unique within the commune, ignoring case and diacritics; the branch must be a
    chi bộ under the same commune.
    """
    if not holds_villages(organisation):
        raise NotEligible(
            "Thôn, tổ dân phố thuộc đảng bộ xã, phường, đặc khu (hoặc cấp ủy cấp trên).",
            field="organisation",
        )
    # One writer at a time per commune, so two users cannot add the same name at once.
    Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
    fields = _village_fields(organisation, name=name, kind=kind, branch=branch)
    return Village.objects.create(organisation=organisation, org_path=organisation.path, **fields)


def _locked_village(village: Village) -> Village:
    Organisation.objects.select_for_update(of=("self",)).get(pk=village.organisation_id)
    return Village.objects.select_for_update(of=("self",)).get(pk=village.pk)


@action
def edit_village(
    village: Village,
    *,
    name: str,
    kind: str,
    branch: Organisation | None,
    by: Any,
) -> Village:
    """Rename a village, change its kind or the chi bộ in charge (same checks as
    ``add_village``; issue 6)."""
    row = _locked_village(village)
    fields = _village_fields(row.organisation, name=name, kind=kind, branch=branch, village=row)
    Village.objects.filter(pk=row.pk).update(**fields)
    village.refresh_from_db()
    return village


@action
def close_village(village: Village, *, by: Any) -> Village:
    """A village merged or dissolved: it is no longer offered as a choice (issue 6).

    Closing only hides it from the choices: the people who live there keep it (their record
    stays true until someone updates it), and it is not refused while active members still
    live there. ``reopen_village`` undoes it.
    """
    row = _locked_village(village)
    if not row.active:
        raise Conflict(f"Thôn, tổ dân phố “{row.name}” đã đóng.")
    Village.objects.filter(pk=row.pk).update(active=False)
    village.refresh_from_db()
    return village


@action
def reopen_village(village: Village, *, by: Any) -> Village:
    """A closed village is offered as a choice again (issue 6)."""
    row = _locked_village(village)
    if row.active:
        raise Conflict(f"Thôn, tổ dân phố “{row.name}” đang hoạt động.")
    Village.objects.filter(pk=row.pk).update(active=True)
    village.refresh_from_db()
    return village


SIGNING_FIELDS = ("document_name", "document_symbol", "place_name", "term_started_on")


@action
def set_document_signing(org: Organisation, *, by: Any, **changes: Any) -> Organisation:
    """How the node signs its outgoing documents: the issuing body's name, the abbreviation
    in the symbol ("127-QĐ/**ĐU**"), the place name before the date and the day its
    committee's term began (numbers restart from 01 each term). 36-HD/VPTW 2018 §II.1–4
    [C]. Blank text fields fall back to values derived from the name and kind
    (``dangvien.documents.issuers``). Only the fields passed change."""
    unknown = set(changes) - set(SIGNING_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    row = Organisation.objects.select_for_update(of=("self",)).get(pk=org.pk)
    if "document_name" in changes:
        row.document_name = checked_text(
            changes["document_name"] or "",
            what="tên cơ quan ban hành",
            field="document_name",
            max_length=200,
            required=False,
        ).upper()
    if "document_symbol" in changes:
        symbol = nfc(changes["document_symbol"] or "").strip().upper()
        if len(symbol) > 20 or any(ch in symbol for ch in " /-"):
            raise NotEligible(
                "Chữ viết tắt trong ký hiệu văn bản gồm tối đa 20 chữ, không có dấu cách, "
                "dấu “/” hay “-” (ví dụ: ĐU, CB, TU).",
                field="document_symbol",
            )
        row.document_symbol = symbol
    if "place_name" in changes:
        row.place_name = checked_text(
            changes["place_name"] or "",
            what="địa danh",
            field="place_name",
            max_length=100,
            required=False,
        )
    if "term_started_on" in changes:
        day = changes["term_started_on"]
        if day is not None and not (1930 <= day.year <= 2100):
            raise NotEligible("Ngày bắt đầu nhiệm kỳ không hợp lệ.", field="term_started_on")
        row.term_started_on = day
    row.save(update_fields=[f for f in SIGNING_FIELDS if f in changes])
    return row
