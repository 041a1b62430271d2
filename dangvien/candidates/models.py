"""The admission pipeline: from the candidate pool to the ceremony (DOMAIN.md §3)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvien.core.votes import Body


class Stage(models.TextChoices):
    CANDIDATE = "candidate", _("Quần chúng ưu tú")
    IN_AWARENESS_COURSE = "in_awareness_course", _("Đang học lớp nhận thức về Đảng")
    CERTIFIED = "certified", _("Đã có giấy chứng nhận")
    DOSSIER_OPEN = "dossier_open", _("Đang lập hồ sơ")
    BACKGROUND_CHECKED = "background_checked", _("Đã thẩm tra lý lịch")
    BRANCH_PROPOSED = "branch_proposed", _("Chi bộ đề nghị kết nạp")
    GRASSROOTS_ENDORSED = "grassroots_endorsed", _("Đảng ủy cơ sở đề nghị")
    ADMITTED = "admitted", _("Đã có quyết định kết nạp")
    MEMBER = "member", _("Đã kết nạp (đảng viên dự bị)")
    WITHDRAWN = "withdrawn", _("Đã rút khỏi nguồn")
    REJECTED = "rejected", _("Không được kết nạp")


# Every legal move; anything else is refused (STYLE.md). DOMAIN.md §3.
NEXT_STAGES: dict[str, set[str]] = {
    Stage.CANDIDATE: {Stage.IN_AWARENESS_COURSE, Stage.CERTIFIED, Stage.WITHDRAWN},
    Stage.IN_AWARENESS_COURSE: {Stage.CERTIFIED, Stage.WITHDRAWN},
    Stage.CERTIFIED: {Stage.DOSSIER_OPEN, Stage.WITHDRAWN},
    Stage.DOSSIER_OPEN: {Stage.BACKGROUND_CHECKED, Stage.WITHDRAWN},
    # Back to an open dossier when a renewed background check raises concerns.
    Stage.BACKGROUND_CHECKED: {Stage.BRANCH_PROPOSED, Stage.DOSSIER_OPEN, Stage.WITHDRAWN},
    Stage.BRANCH_PROPOSED: {
        Stage.GRASSROOTS_ENDORSED,
        Stage.ADMITTED,
        Stage.REJECTED,
        Stage.WITHDRAWN,
    },
    Stage.GRASSROOTS_ENDORSED: {Stage.ADMITTED, Stage.REJECTED, Stage.WITHDRAWN},
    Stage.ADMITTED: {Stage.MEMBER, Stage.WITHDRAWN},
    Stage.MEMBER: set(),
    Stage.WITHDRAWN: set(),
    Stage.REJECTED: set(),
}
FINISHED = [Stage.MEMBER, Stage.WITHDRAWN, Stage.REJECTED]
ACTIVE = [s for s in Stage.values if s not in FINISHED]


class Candidate(models.Model):
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="candidacies")
    branch = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="candidates",
        verbose_name=_("chi bộ"),
    )
    # The unit's path, copied (SCALE.md). db_index also gives PostgreSQL its
    # varchar_pattern_ops "_like" index, which LIKE 'prefix%' scope filters need.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    # The person's sort key (``Person.sort_key``), copied so a province's list is read in
    # name order from an index of this table instead of walking millions of people
    # (issue 9, national scale; as ``Member.sort_key``). Set by ``save`` from the person;
    # bulk writers (imports, generate_nation) set it themselves. Names do not change.
    sort_key = models.CharField(max_length=300, editable=False, default="")
    stage = models.CharField(_("bước"), max_length=30, choices=Stage, default=Stage.CANDIDATE)
    listed_on = models.DateField(_("ngày đưa vào nguồn"), default=timezone.localdate)
    helper = models.ForeignKey(
        "members.Member",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="helping",
        verbose_name=_("đảng viên giúp đỡ"),
    )
    # Awareness course (lớp bồi dưỡng nhận thức về Đảng) and its certificate (CN-NTVĐ).
    course_name = models.CharField(_("lớp bồi dưỡng"), max_length=200, blank=True)
    course_started_on = models.DateField(_("ngày bắt đầu học"), null=True, blank=True)
    certificate_no = models.CharField(_("số giấy chứng nhận"), max_length=50, blank=True)
    certificate_issued_on = models.DateField(_("ngày cấp giấy chứng nhận"), null=True, blank=True)
    # Dossier: the application comes before the background declaration (HD 06 §3).
    application_on = models.DateField(_("ngày làm đơn xin vào Đảng"), null=True, blank=True)
    declaration_on = models.DateField(_("ngày khai lý lịch"), null=True, blank=True)
    education_exception = models.CharField(
        _("căn cứ ngoại lệ về học vấn"),
        max_length=250,
        blank=True,
        help_text=_("Vùng cao, hải đảo, đồng bào dân tộc... theo hướng dẫn của Ban Bí thư."),
    )
    over_age_decision_no = models.CharField(
        _("số văn bản đồng ý kết nạp trên 60 tuổi"), max_length=50, blank=True
    )
    over_age_decided_on = models.DateField(_("ngày đồng ý (trên 60 tuổi)"), null=True, blank=True)
    # The pending deadline, written by the move that starts it (working days, so it is
    # computed once with the calendar then in force and indexed for the to-do lists).
    decision_due_on = models.DateField(_("hạn quyết định kết nạp"), null=True, blank=True)
    decision_extended = models.BooleanField(_("đã gia hạn"), default=False)
    decision_extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    decision_no = models.CharField(_("số quyết định"), max_length=50, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_late_reason = models.TextField(_("lý do quyết định chậm"), blank=True)
    ceremony_due_on = models.DateField(_("hạn tổ chức lễ kết nạp"), null=True, blank=True)
    ceremony_on = models.DateField(_("ngày lễ kết nạp"), null=True, blank=True)
    ceremony_late_approval_no = models.CharField(
        _("văn bản đồng ý của cấp trên (lễ muộn)"), max_length=50, blank=True
    )
    member = models.OneToOneField(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="candidacy"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        indexes = [
            # varchar_pattern_ops: LIKE 'prefix%' (the scope filter) reads the index on a
            # database whose collation is not C (PostgreSQL manual, 11.10 "Operator
            # Classes"), as the members' scope index; a province's count by stage is then
            # one index range (issue 9). Other backends ignore opclasses.
            models.Index(
                fields=["org_path", "stage"],
                name="cand_scope_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # The list's order (name, then id) for one stage and for several or all; the
            # path (and stage) last, so a page's ids are read from the index alone with
            # the scope filter (issue 9; ``core.paging.IdsFirst``).
            models.Index(
                fields=["stage", "sort_key", "id", "org_path"], name="cand_stage_name_idx"
            ),
            models.Index(fields=["sort_key", "id", "org_path", "stage"], name="cand_name_idx"),
            # The to-do's deadlines (``queries.todo``), each only over the stage it is read
            # for: a province's home page read the deadlines of every candidate of the
            # country who ever had one (380,000 index entries, 0.5 s) to find its 50.
            models.Index(
                fields=["decision_due_on"],
                name="cand_decision_due_idx",
                condition=models.Q(
                    stage__in=[Stage.BRANCH_PROPOSED.value, Stage.GRASSROOTS_ENDORSED.value]
                ),
            ),
            models.Index(
                fields=["ceremony_due_on"],
                name="cand_ceremony_due_idx",
                condition=models.Q(stage=Stage.ADMITTED.value),
            ),
            # Achievement counts admission decisions by date under a path (stats.queries).
            models.Index(fields=["decided_on", "org_path"], name="cand_decided_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(stage__in=["member", "withdrawn", "rejected"]),
                name="one_open_candidacy_per_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new row, or one whose person changes, copies the person's ``sort_key``."""
        update_fields = kwargs.get("update_fields")
        if self._state.adding or (update_fields is not None and "person" in update_fields):
            self.sort_key = person_sort_key(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)

    @property
    def is_finished(self) -> bool:
        return self.stage in FINISHED


class StageChange(models.Model):
    """History: one row per move, insert only."""

    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="changes")
    from_stage = models.CharField(max_length=30, choices=Stage)
    to_stage = models.CharField(max_length=30, choices=Stage)
    # ``on``: the day the step happened (meeting, decision, ceremony); ``at``: when it was
    # recorded. Offices often key in a meeting days later; both are kept.
    on = models.DateField(_("ngày"), default=timezone.localdate)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class BackgroundOutcome(models.TextChoices):
    CLEAR = "clear", _("Đạt, không có vấn đề")
    CONCERNS = "concerns", _("Có vấn đề cần làm rõ")


class BackgroundCheck(models.Model):
    """Thẩm tra lý lịch (HD 06 §3.4 [R])."""

    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="background_checks")
    completed_on = models.DateField(_("ngày hoàn thành thẩm tra"))
    outcome = models.CharField(_("kết quả"), max_length=10, choices=BackgroundOutcome)
    note = models.TextField(_("nhận xét"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["completed_on", "id"]

    def __str__(self) -> str:
        return f"{self.completed_on:%d/%m/%Y} {self.outcome}"


class Union(models.TextChoices):
    YOUTH_UNION = "youth_union", _("Đoàn TNCS Hồ Chí Minh")
    TRADE_UNION = "trade_union", _("Công đoàn")


class Introducer(models.Model):
    """A sponsor: an official member, or a union's executive by resolution (Charter Art. 4)."""

    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="introducers")
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="introduced"
    )
    union = models.CharField(max_length=20, choices=Union, blank=True)
    resolution_no = models.CharField(_("số nghị quyết giới thiệu"), max_length=50, blank=True)
    known_since = models.DateField(_("cùng công tác, học tập, cư trú từ"))
    active = models.BooleanField(default=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(union=""))
                | (Q(member__isnull=True) & ~Q(union="")),
                name="introducer_member_or_union",
            )
        ]

    def __str__(self) -> str:
        if self.member_id:
            return str(self.member)
        return f"{self.get_union_display()} ({self.resolution_no})"


class Vote(models.Model):
    """A body's vote with its count: recorded whether it passed or not."""

    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="votes")
    body = models.CharField(max_length=12, choices=Body)
    organisation = models.ForeignKey("organisations.Organisation", models.PROTECT)
    held_on = models.DateField(_("ngày họp"))
    in_favour = models.PositiveIntegerField(_("số tán thành"))
    against = models.PositiveIntegerField(_("số không tán thành"), default=0)
    denominator = models.PositiveIntegerField(_("tổng số tính tỷ lệ"))
    rule = models.JSONField()
    passed = models.BooleanField()
    resolution_no = models.CharField(_("số nghị quyết"), max_length=50, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.body} {self.held_on:%d/%m/%Y}: {self.in_favour}/{self.denominator}"


def person_sort_key(candidate: Candidate) -> str:
    """The sort key of the candidate's person (the cached person when loaded)."""
    if Candidate.person.is_cached(candidate):
        return candidate.person.sort_key
    from dangvien.people.models import Person

    found = Person.objects.filter(pk=candidate.person_id).values_list("sort_key", flat=True)
    return next(iter(found), "")
