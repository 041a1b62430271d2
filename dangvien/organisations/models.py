"""The organisation tree: typed nodes of any depth (DOMAIN.md §2).

Why a materialised path: SCALE.md measured the options at national size. A path with a
parent link answers "all descendants" with an index range scan on a literal prefix, and
"count under each child" with one GROUP BY on a fixed-width prefix of the path copied onto
fact rows (members, candidates). Nested sets cost seconds per insert; a closure table is
faster still for descendants but needs a second table kept in step. Fixed-width segments
(8 digits of the id and a slash) make the prefix of any ancestor a plain substring.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

SEGMENT = 9  # "00000042/"


def path_segment(pk: int) -> str:
    return f"{pk:08d}/"


class Kind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh ủy / Thành ủy")
    BLOC = "bloc", _("Đảng bộ khối")
    DISTRICT = "district", _("Huyện ủy")
    COMMUNE = "commune", _("Đảng bộ xã / phường / đặc khu")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    SUB_COMMITTEE = "sub_committee", _("Đảng bộ bộ phận")
    GRASSROOTS_BRANCH = "grassroots_branch", _("Chi bộ cơ sở")
    BRANCH = "branch", _("Chi bộ")


# What each kind is, as the regulations use it. Which kind may sit under which is data
# (ParentRule); these are the kinds' meanings.
MEMBER_HOLDING = {Kind.BRANCH, Kind.GRASSROOTS_BRANCH}  # members belong to a chi bộ
GRASSROOTS = {Kind.GRASSROOTS_BRANCH, Kind.GRASSROOTS_COMMITTEE}  # tổ chức cơ sở đảng
SUPERIOR = {Kind.PROVINCE, Kind.BLOC, Kind.DISTRICT, Kind.COMMUNE}  # has a standing committee


class Sector(models.TextChoices):
    """Loại hình of a grassroots organisation, as the statistics count them (DOMAIN.md §9;
    11-HD/BTCTW 2021, table codes [U]). Set on the grassroots organisation and copied onto
    the nodes under it, so facts group by their branch's sector with one join."""

    COMMUNE_WARD = "commune_ward", _("Xã, phường, đặc khu")
    AGENCY = "agency", _("Cơ quan hành chính, Đảng, đoàn thể")
    PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp")
    STATE_ENTERPRISE = "state_enterprise", _("Doanh nghiệp nhà nước")
    NON_STATE_ENTERPRISE = "non_state_enterprise", _("Doanh nghiệp ngoài nhà nước")
    ARMED_FORCES = "armed_forces", _("Quân đội, Công an")
    OTHER = "other", _("Loại hình khác")


class ParentRule(models.Model):
    """Which kind of node may sit under which (``parent_kind`` empty: a tree's root).

    Seeded with both the 2025 three-level layout (province → commune → …) and the older
    four-level one (province → district → …); an administrator can change it.
    """

    parent_kind = models.CharField(_("loại cấp trên"), max_length=30, choices=Kind, blank=True)
    child_kind = models.CharField(_("loại cấp dưới"), max_length=30, choices=Kind)

    class Meta:
        verbose_name = _("quan hệ cấp trên – cấp dưới")
        verbose_name_plural = _("quan hệ cấp trên – cấp dưới")
        constraints = [
            models.UniqueConstraint(fields=["parent_kind", "child_kind"], name="uniq_parent_rule")
        ]

    def __str__(self) -> str:
        return f"{self.parent_kind or '—'} → {self.child_kind}"


class Organisation(models.Model):
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cấp trên"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    code = models.CharField(_("mã tổ chức"), max_length=20, blank=True)
    authorised_to_admit = models.BooleanField(
        _("được ủy quyền quyết định kết nạp"),
        default=False,
        help_text=_("Đảng ủy cơ sở được cấp ủy cấp trên ủy quyền (294-QĐ/TW §4.3.2a)."),
    )
    committee_size = models.PositiveSmallIntegerField(_("số cấp ủy viên"), null=True, blank=True)
    standing_committee_size = models.PositiveSmallIntegerField(
        _("số ủy viên ban thường vụ"), null=True, blank=True
    )
    sort_key = models.CharField(max_length=300, editable=False, default="")
    # The name folded (``core.text.fold``): the chi bộ search matches it typed with or
    # without diacritics. Set with ``sort_key`` wherever a name is written.
    search_text = models.CharField(max_length=200, editable=False, default="")
    sector = models.CharField(_("loại hình"), max_length=30, choices=Sector, blank=True)
    # How the node signs its outgoing documents (36-HD/VPTW 2018; issue 8). Blank: derived
    # from the name and kind by ``dangvien.documents.issuers``.
    document_name = models.CharField(
        _("tên cơ quan ban hành văn bản"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: ĐẢNG ỦY XÃ AN BÌNH. Để trống: lấy theo tên tổ chức."),
    )
    document_symbol = models.CharField(
        _("chữ viết tắt trong ký hiệu văn bản"),
        max_length=20,
        blank=True,
        help_text=_("Ví dụ: ĐU (số 127-QĐ/ĐU), CB, TU. Để trống: theo loại tổ chức."),
    )
    place_name = models.CharField(
        _("địa danh ghi trên văn bản"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ: An Bình. Để trống: lấy của cấp trên gần nhất hoặc theo tên."),
    )
    term_started_on = models.DateField(
        _("ngày bắt đầu nhiệm kỳ cấp ủy"),
        null=True,
        blank=True,
        help_text=_("Số văn bản đánh lại từ 01 mỗi nhiệm kỳ (36-HD/VPTW)."),
    )

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "sort_key"], name="org_children_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS

    @property
    def is_superior(self) -> bool:
        return self.kind in SUPERIOR

    def ancestor_ids(self, include_self: bool = False) -> list[int]:
        ids = [int(self.path[i : i + SEGMENT - 1]) for i in range(0, len(self.path), SEGMENT)]
        return ids if include_self else ids[:-1]


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("Thôn, bản, ấp, buôn, làng")
    RESIDENTIAL_GROUP = "residential_group", _("Tổ dân phố, khu phố")


class Village(models.Model):
    """A village or residential group (thôn, tổ dân phố) of a commune.

    The statistics count villages with no party member and branches shared between villages
    (DOMAIN.md §9), and "villages with no members" is a breakdown admission target (issue
    6). A person's village is ``Person.village``; ``branch`` is the residential chi bộ in
    charge of it (one chi bộ may serve several villages: chi bộ ghép).
    """

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="villages", verbose_name=_("đảng bộ xã")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("tên thôn, tổ dân phố"), max_length=120)
    kind = models.CharField(
        _("loại"), max_length=20, choices=VillageKind, default=VillageKind.VILLAGE
    )
    branch = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="served_villages",
        verbose_name=_("chi bộ phụ trách"),
    )
    active = models.BooleanField(_("đang tồn tại"), default=True)

    class Meta:
        verbose_name = _("thôn, tổ dân phố")
        verbose_name_plural = _("thôn, tổ dân phố")
        ordering = ["org_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="uniq_village_name")
        ]

    def __str__(self) -> str:
        return self.name
