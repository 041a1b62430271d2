"""A person's identity, shared by the candidate and the member they become."""

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvien.core.fields import BlindIndexField, EncryptedTextField

citizen_id_validator = RegexValidator(
    r"^\d{12}$", _("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số.")
)


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Education(models.TextChoices):
    """General education level (trình độ giáo dục phổ thông / chuyên môn cao nhất)."""

    NONE = "none", _("Chưa qua đào tạo")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    VOCATIONAL = "vocational", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    POSTGRADUATE = "postgraduate", _("Sau đại học")


EDUCATION_ORDER = [choice.value for choice in Education]


class PoliticalTheory(models.TextChoices):
    """Trình độ lý luận chính trị (DOMAIN.md §9)."""

    NONE = "none", _("Chưa qua đào tạo")
    PRIMARY = "primary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp, cử nhân")


class OccupationGroup(models.TextChoices):
    """Nghề nghiệp as the member statistics group it (DOMAIN.md §9; table codes [U])."""

    OFFICIAL = "official", _("Cán bộ, công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    WORKER = "worker", _("Công nhân, người lao động")
    FARMER = "farmer", _("Nông dân")
    BUSINESS = "business", _("Chủ doanh nghiệp, kinh doanh")
    STUDENT = "student", _("Học sinh, sinh viên")
    RETIRED = "retired", _("Nghỉ hưu")
    OTHER = "other", _("Khác")


class Person(models.Model):
    family_name = models.CharField(_("họ"), max_length=50)
    middle_name = models.CharField(_("tên đệm"), max_length=80, blank=True)
    given_name = models.CharField(_("tên"), max_length=50)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex)
    # Encrypted at rest; found by exact value through the keyed index below (issue 9:
    # Nghị định 13/2023/NĐ-CP Điều 26). ``Person(citizen_id="0123…")`` fills the index;
    # ``filter(citizen_id=…)`` and ``__in`` are answered by it (``core/fields.py``).
    citizen_id = EncryptedTextField(
        _("số CCCD"), validators=[citizen_id_validator], blind_index="citizen_id_hmac"
    )
    # Unique through Meta.constraints, not ``unique=True``: that would also build
    # PostgreSQL's varchar_pattern_ops "_like" index, useless for an exact HMAC (618 MB at
    # national size, about 10 s of every bulk load's index rebuild).
    citizen_id_hmac = BlindIndexField(of="citizen_id")
    ethnicity = models.CharField(_("dân tộc"), max_length=40, default="Kinh")
    religion = models.CharField(_("tôn giáo"), max_length=40, default="Không")
    education_level = models.CharField(_("trình độ học vấn"), max_length=20, choices=Education)
    occupation = models.CharField(_("nghề nghiệp"), max_length=120, blank=True)
    hometown = models.CharField(_("quê quán"), max_length=200, blank=True)
    address = models.CharField(_("nơi ở hiện nay"), max_length=250, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    political_theory = models.CharField(
        _("lý luận chính trị"), max_length=20, choices=PoliticalTheory, default=PoliticalTheory.NONE
    )
    occupation_group = models.CharField(
        _("nhóm nghề nghiệp"), max_length=20, choices=OccupationGroup, blank=True
    )
    village = models.ForeignKey(
        "organisations.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("thôn, tổ dân phố"),
    )
    # Family background as declared in the lý lịch (2-KNĐ): sensitive personal data,
    # encrypted at rest (issue 9).
    family_background = EncryptedTextField(_("hoàn cảnh, lịch sử gia đình"), blank=True)
    youth_union_member = models.BooleanField(_("đoàn viên"), default=False)
    trade_union_member = models.BooleanField(_("công đoàn viên"), default=False)
    # Derived keys, written by the people actions: accent-free text for search, and the
    # Vietnamese collation key (given, middle, family) for sorting.
    search_text = models.CharField(max_length=250, editable=False, default="", db_index=True)
    sort_key = models.CharField(max_length=300, editable=False, default="")

    class Meta:
        verbose_name = _("nhân thân")
        verbose_name_plural = _("nhân thân")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["citizen_id_hmac"], name="person_citizen_id_unique")
        ]
        # The order of lists of people (no LIKE on a collation key: no "_like" index).
        indexes = [models.Index(fields=["sort_key"], name="person_sort_key_idx")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A save of the citizen ID alone (``update_fields``) writes its index too."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "citizen_id" in update_fields:
            kwargs["update_fields"] = {*update_fields, "citizen_id_hmac"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)


class SearchName(models.Model):
    """Every folded name (``Person.search_text``) that a person holds, with no link
    to anyone: the dictionary a name search looks in first (``people.names``; issue 9,
    name search over 6 million people under 150 ms).

    Row-level security lets a scan of a province's members use only B-tree comparisons
    (PostgreSQL marks ``LIKE`` and the trigram operators not leakproof, so a policy keeps
    them out of index conditions), and ``LIKE '%…%'`` over a province's 358,000 rows took
    190 ms. The few thousand distinct names matching a search are found here instead,
    through a trigram index (this table has no policy: a name alone, without the person,
    the unit or the record, tells nothing about anyone's membership), and the members are
    then read by exact name within the scope through a B-tree. Filled by database
    triggers on ``people_person`` (``people.names.trigger_statements``), so every name a
    person holds is here; a name nobody holds any more is removed by
    ``manage.py prune_search_names``."""

    # Not unique on purpose: two writers adding the same new name at once would otherwise
    # wait on each other's uncommitted insert until the first commits (a long import
    # holding up everyone naming a child alike). A name found twice is read once.
    name = models.CharField(max_length=250, db_index=True)

    class Meta:
        verbose_name = _("tên dùng để tìm kiếm")
        verbose_name_plural = _("tên dùng để tìm kiếm")

    def __str__(self) -> str:
        return self.name
