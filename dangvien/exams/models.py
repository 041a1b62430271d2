"""The knowledge test before admission (kiểm tra, đánh giá nhận thức về Đảng).

Local practice (seed 000, Hạ Long 2020): a committee sets up an examination board that
keeps a question bank, answer keys and a scoring rubric, and tests every candidate in
writing and orally before the branch vote. Whether the test is required is a rule
parameter per province (``admission.knowledge_test_required``, DOMAIN.md §3).

- Question bank: a ``Question`` is the stable identity (owner, topic, difficulty, type,
  tags); its wording, options, key and rubric live in numbered ``QuestionVersion`` rows.
  A version used on any paper is never changed again: editing makes a new version, and
  past papers and answers keep the version they were graded against.
- Exam round: board, blueprint (questions per topic, difficulty and part; time; pass
  mark; written and oral weights), paper variants (``Paper`` with ``PaperItem`` rows that
  point at versions and fix the option order), one ``Sitting`` per candidate with its
  answers, and two board members' ``Mark`` for each essay and oral answer.

Scores are on the 10-point scale: each part is 10 × points earned / points available,
and the final score is the weighted mean of the parts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A subject of the bank; the seed's five are created by the migration."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("chủ đề"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Dễ")
    MEDIUM = 2, _("Trung bình")
    HARD = 3, _("Khó")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Một lựa chọn")
    MULTIPLE = "multiple", _("Nhiều lựa chọn")
    TRUE_FALSE = "true_false", _("Đúng / Sai")
    SHORT = "short", _("Trả lời ngắn")
    ESSAY = "essay", _("Tự luận")
    ORAL = "oral", _("Vấn đáp")


# Marked by the machine from the key; the others by two board members against the rubric.
OBJECTIVE = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.SHORT,
)
WITH_OPTIONS = (QuestionType.SINGLE, QuestionType.MULTIPLE)


class Part(models.TextChoices):
    WRITTEN = "written", _("Viết")
    ORAL = "oral", _("Vấn đáp")


class Question(models.Model):
    owner = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="questions",
        verbose_name=_("đơn vị sở hữu"),
    )
    # The owner's path, copied: a bank is seen by its owner's subtree when shared down.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    shared_down = models.BooleanField(
        _("chia sẻ cho cấp dưới"),
        default=True,
        help_text=_("Các tổ chức cấp dưới được dùng câu hỏi này khi ra đề."),
    )
    topic = models.ForeignKey(Topic, models.PROTECT, related_name="questions")
    difficulty = models.PositiveSmallIntegerField(
        _("độ khó"), choices=Difficulty, default=Difficulty.MEDIUM
    )
    type = models.CharField(_("loại câu hỏi"), max_length=12, choices=QuestionType)
    tags = models.JSONField(_("nhãn"), default=list, blank=True)
    current = models.ForeignKey(
        "QuestionVersion", models.PROTECT, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        indexes = [
            models.Index(fields=["topic", "difficulty", "type"], name="question_pick_idx"),
        ]

    def __str__(self) -> str:
        return f"Câu hỏi {self.pk}"


class QuestionVersion(models.Model):
    """The wording, key and rubric of one version of a question.

    ``options``: ``[{"key": "A", "text": …}, …]`` for single and multiple choice.
    ``answer``: the key, visible only to the board: ``"B"`` (single), ``["A", "C"]``
    (multiple), ``true``/``false`` (true/false), ``["accepted", …]`` (short answer, compared
    without case, diacritics or extra spaces), ``null`` for essay and oral.
    ``rubric``: ``[{"criterion": …, "points": …}, …]`` for essay and oral; the points add up
    to ``points``.
    """

    question = models.ForeignKey(Question, models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    text = models.TextField(_("nội dung câu hỏi"))
    options = models.JSONField(_("phương án"), default=list, blank=True)
    answer = models.JSONField(_("đáp án"), null=True, blank=True)
    rubric = models.JSONField(_("thang điểm chấm"), default=list, blank=True)
    points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2, default=1)
    explanation = models.TextField(_("giải thích đáp án"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phiên bản câu hỏi")
        verbose_name_plural = _("phiên bản câu hỏi")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="uniq_question_version"),
        ]

    def __str__(self) -> str:
        return f"Câu hỏi {self.question_id} v{self.number}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chuẩn bị")
    PAPERS = "papers", _("Đã tạo đề")
    OPEN = "open", _("Đang kiểm tra")
    MARKING = "marking", _("Đang chấm")
    SIGNED = "signed", _("Đã ký duyệt kết quả")


class ExamRound(models.Model):
    """Đợt kiểm tra: its board, candidates, date, venue and blueprint."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="exam_rounds",
        verbose_name=_("cấp ủy tổ chức"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("tên đợt kiểm tra"), max_length=200)
    held_on = models.DateField(_("ngày kiểm tra"))
    venue = models.CharField(_("địa điểm"), max_length=250, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=RoundStatus, default=RoundStatus.DRAFT
    )
    # Blueprint (ma trận đề).
    duration_minutes = models.PositiveSmallIntegerField(_("thời gian làm bài (phút)"), default=45)
    pass_mark = models.DecimalField(
        _("điểm đạt (thang 10)"), max_digits=4, decimal_places=2, default=5
    )
    written_weight = models.PositiveSmallIntegerField(_("trọng số phần viết (%)"), default=70)
    oral_weight = models.PositiveSmallIntegerField(_("trọng số phần vấn đáp (%)"), default=30)
    variants = models.PositiveSmallIntegerField(_("số mã đề"), default=4)
    # Two markers further apart than this share of the item's points: disagreement.
    disagreement_percent = models.PositiveSmallIntegerField(
        _("chênh lệch tối đa giữa hai giám khảo (% điểm câu)"), default=20
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("ngày ký duyệt"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đợt kiểm tra")
        verbose_name_plural = _("đợt kiểm tra")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(written_weight__lte=100) & models.Q(oral_weight__lte=100),
                name="exam_round_weights_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BoardMember(models.Model):
    """Hội đồng kiểm tra, đánh giá nhận thức: its members mark; the chair signs off."""

    round = models.ForeignKey(ExamRound, models.CASCADE, related_name="board")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="exam_boards")
    is_chair = models.BooleanField(_("chủ tịch hội đồng"), default=False)

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="uniq_board_member"),
            models.UniqueConstraint(
                fields=["round"], condition=models.Q(is_chair=True), name="one_chair_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'chủ tịch' if self.is_chair else 'thành viên'})"


class BlueprintLine(models.Model):
    round = models.ForeignKey(ExamRound, models.CASCADE, related_name="blueprint")
    part = models.CharField(_("phần"), max_length=8, choices=Part, default=Part.WRITTEN)
    topic = models.ForeignKey(Topic, models.PROTECT, related_name="+")
    difficulty = models.PositiveSmallIntegerField(_("độ khó"), choices=Difficulty)
    count = models.PositiveSmallIntegerField(_("số câu"))

    class Meta:
        verbose_name = _("dòng ma trận đề")
        verbose_name_plural = _("ma trận đề")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "part", "topic", "difficulty"], name="uniq_blueprint_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.count} câu"


class Paper(models.Model):
    """One variant (mã đề) of a round's paper."""

    round = models.ForeignKey(ExamRound, models.CASCADE, related_name="papers")
    number = models.PositiveSmallIntegerField(_("mã đề"))
    seed = models.BigIntegerField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mã đề")
        verbose_name_plural = _("mã đề")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="uniq_paper_number"),
        ]

    def __str__(self) -> str:
        return f"Mã đề {self.code}"

    @property
    def code(self) -> str:
        return f"{self.number:03d}"


class PaperItem(models.Model):
    paper = models.ForeignKey(Paper, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    part = models.CharField(max_length=8, choices=Part, default=Part.WRITTEN)
    version = models.ForeignKey(QuestionVersion, models.PROTECT, related_name="paper_items")
    # The option keys in the order printed on this variant, e.g. ["C", "A", "D", "B"].
    option_order = models.JSONField(default=list, blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="uniq_paper_position"),
        ]

    def __str__(self) -> str:
        return f"Câu {self.position}"


class SittingMode(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    PAPER = "paper", _("Trên giấy")


class SittingStatus(models.TextChoices):
    REGISTERED = "registered", _("Chưa làm bài")
    IN_PROGRESS = "in_progress", _("Đang làm bài")
    SUBMITTED = "submitted", _("Đã nộp bài")
    MARKED = "marked", _("Đã chấm")
    ABSENT = "absent", _("Vắng mặt")


class Sitting(models.Model):
    """One candidate in one round: their paper, answers and result."""

    round = models.ForeignKey(ExamRound, models.PROTECT, related_name="sittings")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="sittings")
    candidate = models.ForeignKey(
        "candidates.Candidate", models.PROTECT, null=True, blank=True, related_name="sittings"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    attempt = models.PositiveSmallIntegerField(_("lần kiểm tra"), default=1)
    mode = models.CharField(
        _("hình thức"), max_length=8, choices=SittingMode, default=SittingMode.ONLINE
    )
    paper = models.ForeignKey(Paper, models.PROTECT, null=True, blank=True, related_name="sittings")
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=SittingStatus, default=SittingStatus.REGISTERED
    )
    # The one-time code for the online sitting: only its SHA-256 is kept.
    code_digest = models.CharField(max_length=64, blank=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    written_score = models.DecimalField(
        _("điểm phần viết"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    oral_score = models.DecimalField(
        _("điểm vấn đáp"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    final_score = models.DecimalField(
        _("điểm tổng hợp"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("đạt"), null=True, blank=True)

    class Meta:
        verbose_name = _("bài kiểm tra")
        verbose_name_plural = _("bài kiểm tra")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="uniq_sitting"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.round}"


class Answer(models.Model):
    """A candidate's answer to one item. ``response``: ``"B"``, ``["A", "C"]``, ``true``,
    or text; empty for oral items (scored by the markers only)."""

    sitting = models.ForeignKey(Sitting, models.CASCADE, related_name="answers")
    item = models.ForeignKey(PaperItem, models.PROTECT, related_name="answers")
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    # Objective items: from the key. Essay and oral: the agreed mean of the two marks, or
    # the chair's resolution when they disagree.
    points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    disputed = models.BooleanField(_("hai giám khảo chênh lệch"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.CharField(
        _("ý kiến của chủ tịch hội đồng"), max_length=500, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitting", "item"], name="uniq_answer"),
        ]

    def __str__(self) -> str:
        return f"Trả lời câu {self.item_id}"


class Mark(models.Model):
    """One board member's score of an essay or oral answer, criterion by criterion."""

    answer = models.ForeignKey(Answer, models.CASCADE, related_name="marks")
    marker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    criteria = models.JSONField(_("điểm theo tiêu chí"), default=list)
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2)
    note = models.CharField(_("nhận xét"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "marker"], name="uniq_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.points} điểm"
