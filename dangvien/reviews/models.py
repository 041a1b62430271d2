"""Quality review and rating of members and party organisations (366-QĐ/TW 30/8/2025;
DOMAIN.md §4), and the discipline records that cap a member's rating.

A ``ReviewPeriod`` is opened by a committee for its whole subtree: yearly by default,
quarterly, per term or ad hoc (366-QĐ/TW, new in 2025). Every active member under it gets
one ``MemberReview`` row that moves through the steps of 366-QĐ/TW (order as 124-QĐ/TW
Art. 12 [C]): the member's self-assessment on the 100-point framework, the chi bộ's review
and proposed rating, the competent committee's decision, publication. Party
organisations (chi bộ, grassroots organisations) are rated the same four ways on their own
criteria (``OrganisationReview``). Exempted members are not rated [U]: they get no row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    """The four ratings, for organisations and individuals alike (366-QĐ/TW [C])."""

    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    COMPLETE = "complete", _("Hoàn thành nhiệm vụ")
    FAILED = "failed", _("Không hoàn thành nhiệm vụ")


# Best first: a rating "caps" another when it sits later in this list.
RATING_ORDER: tuple[str, ...] = (Rating.EXCELLENT, Rating.GOOD, Rating.COMPLETE, Rating.FAILED)


class PeriodKind(models.TextChoices):
    YEARLY = "yearly", _("Hằng năm")
    QUARTERLY = "quarterly", _("Hằng quý")
    TERM = "term", _("Theo nhiệm kỳ")
    AD_HOC = "ad_hoc", _("Khi cần thiết (đột xuất)")


class ReviewPeriod(models.Model):
    """A review opened by ``organisation`` for every member and organisation under it.

    ``starts_on``–``ends_on`` is the time reviewed (a year, a quarter, a term); only a
    yearly period counts for the "two years running" removal ground (Charter Art. 8).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="review_periods"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodKind)
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    name = models.CharField(_("tên kỳ đánh giá"), max_length=200)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kỳ kiểm điểm, đánh giá")
        verbose_name_plural = _("kỳ kiểm điểm, đánh giá")
        ordering = ["-year", "-starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=Q(kind="yearly"),
                name="one_yearly_review_period",
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"],
                condition=Q(kind="quarterly"),
                name="one_quarterly_review_period",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="review_period_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """A member review's steps (366-QĐ/TW; order 124-QĐ/TW Art. 12 [C])."""

    SELF_ASSESSED = "self_assessed", _("Đã tự đánh giá")
    BRANCH_PROPOSED = "branch_proposed", _("Chi bộ đã đề xuất")
    DECIDED = "decided", _("Cấp ủy đã quyết định")
    PUBLISHED = "published", _("Đã công khai")


class MemberReview(models.Model):
    """One member's review in one period: the three scorings and the decision.

    Scores are on the 100-point framework (one decimal). ``on_time_percent`` is the share
    of assigned tasks done on time, ``beyond_percent`` the share done beyond requirements
    (366-QĐ/TW Art. 11 [C]); ``degraded`` records a competent body's conclusion of
    degradation ("suy thoái", "tự diễn biến"), which fails the rating (16-HD/BTCTW 2018;
    124-QĐ/TW [C]).
    """

    # Both keys indexed by what leads with them: one_review_a_period (period, member) and
    # review_member_idx (member, period); their own indexes would add 300 MB at
    # national size to every write and bulk load.
    period = models.ForeignKey(ReviewPeriod, models.PROTECT, related_name="reviews", db_index=False)
    member = models.ForeignKey(
        "members.Member", models.PROTECT, related_name="reviews", db_index=False
    )
    # The chi bộ that reviewed the member (they may move later) and its path.
    branch = models.ForeignKey("organisations.Organisation", models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    stage = models.CharField(max_length=20, choices=Stage, default=Stage.SELF_ASSESSED)
    # Self-assessment (bản tự kiểm điểm).
    self_scores = models.JSONField(_("điểm theo tiêu chí"), default=dict, blank=True)
    self_score = models.DecimalField(_("điểm tự chấm"), max_digits=4, decimal_places=1)
    self_rating = models.CharField(_("tự xếp loại"), max_length=10, choices=Rating)
    on_time_percent = models.PositiveSmallIntegerField(_("% nhiệm vụ đúng hạn"), default=100)
    beyond_percent = models.PositiveSmallIntegerField(_("% nhiệm vụ vượt yêu cầu"), default=0)
    self_comment = models.TextField(_("tự nhận xét"), blank=True)
    self_assessed_on = models.DateField(_("ngày tự đánh giá"))
    # The chi bộ's review and proposal.
    branch_score = models.DecimalField(
        _("điểm chi bộ chấm"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    proposed_rating = models.CharField(
        _("chi bộ đề xuất"), max_length=10, choices=Rating, blank=True
    )
    degraded = models.BooleanField(_("bị kết luận suy thoái"), default=False)
    branch_comment = models.TextField(_("nhận xét của chi bộ"), blank=True)
    branch_reviewed_on = models.DateField(_("ngày chi bộ họp"), null=True, blank=True)
    branch_resolution_no = models.CharField(max_length=50, blank=True)
    branch_in_favour = models.PositiveIntegerField(null=True, blank=True)
    branch_denominator = models.PositiveIntegerField(null=True, blank=True)
    # The competent committee's decision.
    decided_rating = models.CharField(
        _("cấp ủy quyết định"), max_length=10, choices=Rating, blank=True
    )
    decider = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_no = models.CharField(_("số quyết định / thông báo"), max_length=50, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_note = models.TextField(blank=True)
    published_on = models.DateField(_("ngày công khai"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kiểm điểm đảng viên")
        verbose_name_plural = _("kiểm điểm đảng viên")
        ordering = ["period", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "member"], name="one_review_a_period"),
        ]
        indexes = [
            models.Index(fields=["period", "org_path"], name="review_period_path_idx"),
            models.Index(fields=["member", "period"], name="review_member_idx"),
            # The "failed" ratings decided, by the branch that gave them: the removal to-do
            # of a province reads its few thousand, not its 350,000 members' ratings
            # (``reviews.queries.removal.failed_running``; issue 9).
            models.Index(
                fields=["period", "org_path"],
                name="review_failed_path_idx",
                condition=Q(decided_rating="failed", stage__in=["decided", "published"]),
                include=["member"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.period}"

    @property
    def rating(self) -> str:
        """The rating as far as the steps went: decided, else proposed, else self-rated."""
        return self.decided_rating or self.proposed_rating or self.self_rating


class OrganisationReview(models.Model):
    """A party organisation's own review and rating (366-QĐ/TW: same four ratings, the
    collective's criteria). ``on_time_percent`` / ``beyond_percent`` as for members;
    ``shortcomings_fixed``: the shortcomings pointed out earlier are 100% fixed (needed for
    "excellent"); ``disciplined``: the collective, a subordinate unit or a leadership member
    was disciplined in the period (no "excellent"; 124-QĐ/TW [C])."""

    period = models.ForeignKey(ReviewPeriod, models.PROTECT, related_name="org_reviews")
    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="reviews"
    )
    org_path = models.CharField(max_length=255, editable=False)
    stage = models.CharField(max_length=20, choices=Stage, default=Stage.SELF_ASSESSED)
    self_score = models.DecimalField(_("điểm tự chấm"), max_digits=4, decimal_places=1)
    self_rating = models.CharField(_("tự xếp loại"), max_length=10, choices=Rating)
    on_time_percent = models.PositiveSmallIntegerField(default=100)
    beyond_percent = models.PositiveSmallIntegerField(default=0)
    shortcomings_fixed = models.BooleanField(default=True)
    disciplined = models.BooleanField(default=False)
    self_comment = models.TextField(blank=True)
    self_assessed_on = models.DateField()
    decided_rating = models.CharField(max_length=10, choices=Rating, blank=True)
    decider = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_no = models.CharField(max_length=50, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá tổ chức đảng")
        verbose_name_plural = _("đánh giá tổ chức đảng")
        ordering = ["period", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organisation"], name="one_org_review_a_period"
            ),
        ]
        indexes = [models.Index(fields=["period", "org_path"], name="org_review_path_idx")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.period}"

    @property
    def rating(self) -> str:
        return self.decided_rating or self.self_rating


class Penalty(models.TextChoices):
    """Disciplinary penalties for a member (Charter Art. 35; 296-QĐ/TW [R]). Expulsion is
    recorded on the member record itself (``members`` record_expulsion)."""

    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DISMISSAL = "dismissal", _("Cách chức")


class Discipline(models.Model):
    """A disciplinary decision on a member, recorded so the rating rule can apply it:
    disciplined in the period caps the rating (``review.disciplined_max_rating``;
    16-HD/BTCTW 2018, 124-QĐ/TW [C]; 366 [U]). ``self_reported``: the member found and
    remedied the breach themselves, which 124-QĐ/TW exempts. ``already_counted``: the
    violation already lowered an earlier rating, and one violation counts once
    (16-HD/BTCTW 2018 [C]: "một vi phạm bị xử lý kỷ luật chỉ tính một lần khi xếp
    loại")."""

    member = models.ForeignKey("members.Member", models.PROTECT, related_name="disciplines")
    org_path = models.CharField(max_length=255, editable=False)
    penalty = models.CharField(_("hình thức"), max_length=10, choices=Penalty)
    decided_on = models.DateField(_("ngày quyết định"))
    decision_no = models.CharField(_("số quyết định"), max_length=50)
    body = models.CharField(_("cấp quyết định"), max_length=200)
    already_counted = models.BooleanField(_("đã tính khi xếp loại kỳ trước"), default=False)
    self_reported = models.BooleanField(_("tự phát hiện và khắc phục xong"), default=False)
    reason = models.TextField(_("nội dung vi phạm"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kỷ luật đảng viên")
        verbose_name_plural = _("kỷ luật đảng viên")
        ordering = ["decided_on", "id"]
        indexes = [models.Index(fields=["member", "decided_on"], name="discipline_member_idx")]

    def __str__(self) -> str:
        return f"{self.get_penalty_display()} {self.decided_on:%d/%m/%Y}"
