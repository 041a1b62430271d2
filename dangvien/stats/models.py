"""Admission targets and the candidate-pool survey (issue 6; DOMAIN.md §2, §9).

Achievement is never stored as a figure: it is counted from the admission decisions
(``stats.queries.facts``), through a copy of each admission with its breakdowns
(``AdmissionFact``) that triggers keep exact (``stats.admission_facts``). What is stored is what
people decide or freeze: the targets each committee sets for the nodes below it, with
every revision and its reason, and the quarterly snapshot of the candidate pool (seed
003: "định kỳ hằng quý khảo sát, đánh giá phân tích chất lượng quần chúng").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Breakdown(models.TextChoices):
    """Optional breakdown targets, as the admission statistics name them (DOMAIN.md §9)."""

    YOUTH_UNION = "youth_union", _("Đoàn viên thanh niên")
    WOMEN = "women", _("Nữ")
    ETHNIC_MINORITY = "ethnic_minority", _("Người dân tộc thiểu số")
    PRIVATE_SECTOR = "private_sector", _("Trong doanh nghiệp ngoài nhà nước")
    VILLAGES_WITHOUT_MEMBERS = "villages_without_members", _("Thôn, tổ dân phố chưa có đảng viên")


class Target(models.Model):
    """A yearly admission target for one node, set by the committee above it (seeds
    001/003: each committee for its subordinates). ``breakdown`` maps a ``Breakdown`` key to
    its own target; keys left out have none. The current values live here; every setting,
    the first included, is a ``TargetRevision`` row."""

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    target = models.PositiveIntegerField(_("chỉ tiêu kết nạp"))
    breakdown = models.JSONField(_("chỉ tiêu cụ thể"), default=dict, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField(_("căn cứ, lý do"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chỉ tiêu kết nạp đảng viên")
        verbose_name_plural = _("chỉ tiêu kết nạp đảng viên")
        ordering = ["year", "organisation__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_target_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.target}"


class TargetRevision(models.Model):
    """History of a target: one row per setting, insert only."""

    target = models.ForeignKey(Target, models.PROTECT, related_name="revisions")
    revision = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(_("chỉ tiêu"))
    breakdown = models.JSONField(default=dict, blank=True)
    previous = models.PositiveIntegerField(_("chỉ tiêu trước"), null=True, blank=True)
    reason = models.TextField(_("căn cứ, lý do"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["target", "revision"], name="uniq_target_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.target} (lần {self.revision})"


class PoolSurvey(models.Model):
    """The quarterly survey of the candidate pool of one node (seed 003), a frozen snapshot.

    ``data`` holds the counts at ``taken_on``: ``{"total": n, "stage": {...}, "age_band":
    {...}, "education": {...}, "sex": {...}, "ethnicity": {...}, "youth_union": {...}}``
    (keys documented in ``stats.queries.surveys``). ``assessment`` is the committee's
    written analysis of the pool's quality for that quarter.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="pool_surveys"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    taken_on = models.DateField(_("ngày chốt số liệu"))
    data = models.JSONField(default=dict)
    assessment = models.TextField(_("đánh giá, phân tích chất lượng"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("khảo sát nguồn quần chúng")
        verbose_name_plural = _("khảo sát nguồn quần chúng")
        ordering = ["org_path", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], name="one_pool_survey_a_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="pool_survey_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} Q{self.quarter}/{self.year}"


class AdmissionFact(models.Model):
    """One admission (``stats.queries.facts``: a decided candidate, a member's first
    admission without a candidacy, or a readmission), copied with its breakdown code so
    that the achievement of a province or of the whole country is counted from one narrow
    table instead of joining millions of people (issue 9: "national dashboard under 1 s;
    precomputed rollups refreshed on write are fine if they are always exact").

    Derived data, never edited by hand: database triggers queue every write that can change
    an admission (``AdmissionStale``) and ``stats.admission_facts.refresh_admissions``
    rewrites the queued rows before any count is read, so a count is always the live one.
    ``code`` is ``facts._admission_code()``: the person's village × 64 + one bit per
    breakdown."""

    source = models.CharField(max_length=12)  # "candidate", "member" or "readmission"
    object_id = models.BigIntegerField()  # the candidate's or the member's id
    org_path = models.CharField(max_length=255)
    day = models.DateField()
    code = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id"], name="one_fact_an_admission"),
        ]
        indexes = [
            # A year of the whole country or of a province, read from the index alone.
            models.Index(
                fields=["day", "org_path"],
                name="admission_fact_day_idx",
                include=["code"],
                opclasses=["date_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.object_id} {self.day}"


class AdmissionStale(models.Model):
    """A write that may have changed admissions, queued by a database trigger
    (``stats.admission_facts``): ``kind`` names the table (``candidate``, ``member``, ``person``,
    ``branch``) and ``row_id`` its row. Emptied by ``refresh_admissions``."""

    kind = models.CharField(max_length=12)
    row_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} {self.row_id}"


class StructureRollup(models.Model):
    """The member structure of one slice of a tree on one day, kept so that a province's
    table, or the whole country's, is read without counting millions of members
    (``stats.rollup``; issue 9: under 300 ms at national size).

    A slice is what a top node's structure table shows as one row (``queries.structure``):
    every member under a direct child of the top node ``top`` (``slice_path``: the child's
    path), or the members ``top`` holds itself (``slice_path`` = ``top``, a rare case). A
    ``subtree`` row per top node (``slice_path`` = ``top``) holds the sum of its slices.
    ``counts`` holds the columns of ``queries.structure.Figures`` (named ethnic and
    religious groups included); ``names`` the spellings met for each named group,
    ``[[prefix, key, spelling, n], …]``, from which the shown name is chosen.

    Derived, never edited: the refresh in ``stats.rollup`` writes it, and a row counts only
    for its ``day`` (the figures depend on the day: official dates, ages, exemptions). Not
    an ``org_path``: a subtree move must not rewrite these keys
    (``organisations.actions.PATH_COPY_FIELDS``); the triggers queue the old and the new
    slice instead."""

    top = models.CharField(max_length=255, db_index=True)
    slice_path = models.CharField(max_length=255)
    subtree = models.BooleanField(default=False)
    day = models.DateField()
    counts = models.JSONField(default=dict)
    names = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slice_path", "subtree"], name="one_structure_rollup"),
        ]

    def __str__(self) -> str:
        return f"{self.slice_path}{' (tổng)' if self.subtree else ''} {self.day}"


class StructureStale(models.Model):
    """A slice of ``StructureRollup`` whose figures may have changed: written by database
    triggers (``stats.triggers``) in the same transaction as the change, read and removed
    by the refresh (``stats.rollup``), which drains a top node's slices (``top``) at once.
    Not unique on purpose: two writers in one commune must not wait on each other's
    commit."""

    top = models.CharField(max_length=255, db_index=True)
    slice_path = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.slice_path
