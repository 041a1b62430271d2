"""Every write of the imports (issue 8): upload, mapping, the dry run and the commit.

The dry run and the commit run as background tasks (``imports.tasks``, Django's tasks API
with the database worker), so a request never waits for 100,000 rows. ``start_dry_run`` and
``start_commit`` put the job in the queue (state ``queued``/``commit_queued``) once their
transaction is over, then enqueue the task; ``run_dry_run`` and ``run_commit`` are what
the tasks call.

All or nothing: the commit plans the whole file again inside ONE transaction (the data may
have changed since the dry run) and writes only when no row has a problem; any error on
any row, or a database error half way, rolls everything back.
"""

import logging
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvien.candidates.models import Candidate, Stage, StageChange
from dangvien.core import audit
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, DomainError, NotAllowed, NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.core.text import nfc
from dangvien.core.uploads import path_of, remove, store
from dangvien.imports import fields, progress
from dangvien.imports.models import ImportJob, ImportKind, ImportProblem, JobState
from dangvien.imports.plan import OrgRow, PersonRow, Plan, make_plan
from dangvien.imports.queries import can_import
from dangvien.imports.reading import UnreadableFile, check_text, header_of, sniff_format
from dangvien.members.actions.base import recognition_vote_due
from dangvien.members.models import Event, Member, Status, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person

logger = logging.getLogger(__name__)

FOLDER = "imports"
MAX_BYTES = 50 * 1024 * 1024  # issue 8: files up to 50 MB
BATCH = 2000
EDITABLE = (JobState.UPLOADED, JobState.CHECKED, JobState.FAILED)
DETAIL_LABELS = {
    "sex": "giới tính",
    "ethnicity": "dân tộc",
    "religion": "tôn giáo",
    "education_level": "trình độ học vấn",
    "political_theory": "lý luận chính trị",
    "occupation": "nghề nghiệp",
    "hometown": "quê quán",
    "address": "nơi ở",
    "phone": "điện thoại",
    "youth_union_member": "đoàn viên",
    "trade_union_member": "công đoàn viên",
}


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _check_allowed(by: Any, kind: str, organisation: Organisation) -> None:
    if not can_import(by, kind, organisation):
        what = "cây tổ chức" if kind == ImportKind.ORGANISATIONS else "đảng viên, quần chúng"
        raise NotAllowed(f"Bạn không có quyền nhập dữ liệu {what} vào {organisation.name}.")


def _locked(job: ImportJob, *states: str) -> ImportJob:
    row = (
        ImportJob.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=job.pk)
    )
    if states and row.state not in states:
        raise StageNotAllowed(
            f"Không thể thực hiện khi lượt nhập đang ở trạng thái “{JobState(row.state).label}”."
        )
    return row


# ---- upload and mapping ---------------------------------------------------------------


@action
def create_job(kind: str, organisation: Organisation, upload: Any, *, by: Any) -> ImportJob:
    """Take an import file (XLSX or CSV, at most 50 MB, issue 8) for ``organisation``: store
    it outside the web root, read its header row and propose a column mapping (headers
    matched by their accent-free name and known synonyms). The format is told by the
    content (an XLSX is a ZIP), not by the file's name."""
    if kind not in ImportKind.values:
        raise NotEligible("Loại dữ liệu nhập không hợp lệ.", field="kind")
    _check_allowed(by, kind, organisation)
    head = upload.read(4)
    upload.seek(0)
    if not head:
        raise NotEligible("Tệp trống.", field="file")
    file_format = sniff_format(head)
    stored = store(upload.chunks(), FOLDER, suffix=f".{file_format}", max_bytes=MAX_BYTES)
    try:
        check_text(path_of(FOLDER, stored.name), file_format)
        headers = header_of(path_of(FOLDER, stored.name), file_format)
        name = nfc(Path(str(getattr(upload, "name", "") or "tep")).name)[:255] or "tep"
        job = ImportJob.objects.create(
            kind=kind,
            organisation=organisation,
            org_path=organisation.path,
            file_name=name,
            stored_name=stored.name,
            file_format=file_format,
            size=stored.size,
            sha256=stored.sha256,
            headers=headers,
            mapping=fields.propose_mapping(kind, headers),
            created_by=_user(by),
        )
    except BaseException as error:  # nothing is kept of a file the job does not hold
        remove(FOLDER, stored.name)
        if isinstance(error, UnreadableFile) or not isinstance(error, ValueError):
            raise
        raise UnreadableFile("Không đọc được tệp.", field="file") from error
    return job


@action
def set_mapping(job: ImportJob, mapping: list[str], *, by: Any) -> ImportJob:
    """Choose the field of each column ("" ignores the column). Every required field needs
    a column, and a field one column only. A new mapping needs a new dry run."""
    row = _locked(job, *EDITABLE)
    _check_allowed(by, row.kind, row.organisation)
    mapping = [str(key or "") for key in mapping]
    problems = fields.mapping_problems(row.kind, row.headers, mapping)
    if problems:
        raise NotEligible(" ".join(problems), field="mapping")
    row.problems.all().delete()
    ImportJob.objects.filter(pk=row.pk).update(
        mapping=mapping, state=JobState.UPLOADED, error_count=0, error_rows=0, message=""
    )
    job.refresh_from_db()
    return job


@action
def queue_dry_run(job: ImportJob, *, by: Any) -> ImportJob:
    """Put the dry run in the queue (issue 8): the mapping must be usable."""
    row = _locked(job, *EDITABLE)
    _check_allowed(by, row.kind, row.organisation)
    problems = fields.mapping_problems(row.kind, row.headers, row.mapping)
    if problems:
        raise NotEligible(" ".join(problems), field="mapping")
    ImportJob.objects.filter(pk=row.pk).update(state=JobState.QUEUED, message="")
    job.refresh_from_db()
    return job


@action
def queue_commit(job: ImportJob, *, by: Any) -> ImportJob:
    """Put the commit in the queue: only after a dry run that found no problem (issue 8:
    "commit only when the dry run found no error")."""
    row = _locked(job)
    _check_allowed(by, row.kind, row.organisation)
    if row.state != JobState.CHECKED:
        raise Conflict("Cần chạy kiểm tra (chạy thử) trước khi ghi vào hệ thống.")
    if row.error_count:
        raise Conflict(
            f"Tệp còn {row.error_count} lỗi ở {row.error_rows} dòng: sửa tệp rồi tải lên lại."
        )
    if row.total_rows == 0:
        raise Conflict("Tệp không có dòng dữ liệu nào.")
    ImportJob.objects.filter(pk=row.pk).update(
        state=JobState.COMMIT_QUEUED, committed_by=_user(by), message=""
    )
    job.refresh_from_db()
    return job


def _enqueue(job: ImportJob, task: Any, queued: str, what: str) -> None:
    """Hand the queued job to the worker; if the queue refuses (its database or broker is
    down), the job is marked failed with the reason instead of staying queued forever."""
    try:
        task.enqueue(job.pk)
    except Exception:
        logger.exception("import %s: could not enqueue the %s", job.pk, what)
        ImportJob.objects.filter(pk=job.pk, state=queued).update(
            state=JobState.FAILED,
            finished_at=timezone.now(),
            message=f"Không đưa được việc {what} vào hàng đợi xử lý; thử lại sau. "
            "Không có dữ liệu nào được ghi.",
        )


def start_dry_run(job: ImportJob, *, by: Any) -> ImportJob:
    """Queue the dry run, then hand it to the background worker."""
    from dangvien.imports.tasks import check_import

    queue_dry_run(job, by=by)
    _enqueue(job, check_import, JobState.QUEUED, "kiểm tra")
    job.refresh_from_db()
    return job


def start_commit(job: ImportJob, *, by: Any) -> ImportJob:
    """Queue the commit, then hand it to the background worker."""
    from dangvien.imports.tasks import commit_import

    queue_commit(job, by=by)
    _enqueue(job, commit_import, JobState.COMMIT_QUEUED, "ghi dữ liệu")
    job.refresh_from_db()
    return job


# ---- the tasks' work -------------------------------------------------------------------


def _claim(job_id: int, expected: str, running: str) -> ImportJob | None:
    """Move the job from ``expected`` to ``running``; None when another worker took it."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job_id, state=expected).update(state=running)
    if not claimed:
        return None
    return ImportJob.objects.select_related("organisation", "created_by", "committed_by").get(
        pk=job_id
    )


def _save_problems(job: ImportJob, plan: Plan) -> None:
    ImportProblem.objects.filter(job=job).delete()
    problems = [
        ImportProblem(job=job, row=p.row, column=p.column, message=p.message) for p in plan.problems
    ]
    ImportProblem.objects.bulk_create(problems, batch_size=BATCH)


def _counts(plan: Plan) -> dict[str, Any]:
    return {
        "total_rows": plan.total,
        "error_count": len(plan.problems),
        "error_rows": plan.error_rows,
        "planned_added": plan.added,
        "planned_updated": plan.updated,
        "planned_unchanged": plan.unchanged,
    }


def run_dry_run(job_id: int) -> None:
    """Check every row (the background task): store the problems and what a commit would
    do. Writes nothing but the job and its problems."""
    job = _claim(job_id, JobState.QUEUED, JobState.CHECKING)
    if job is None:
        return
    try:
        with audit.acting_as(job.created_by):
            path = path_of(FOLDER, job.stored_name)
            plan = make_plan(job, path, progress.reporter(job.pk, "checking"), _limit(job))
            with transaction.atomic():
                _save_problems(job, plan)
                ImportJob.objects.filter(pk=job.pk).update(
                    state=JobState.CHECKED, checked_at=timezone.now(), **_counts(plan)
                )
    except Exception as error:  # the job must not stay "checking" forever
        logger.exception("import %s: dry run failed", job_id)
        _fail(job_id, "kiểm tra", error)
    finally:
        progress.clear(job_id)


def _limit(job: ImportJob) -> int:
    return int(rule("import.max_rows", on=timezone.localdate(), organisation=job.organisation))


class _Refused(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__("refused")
        self.plan = plan


def run_commit(job_id: int) -> None:
    """Write the file (the background task), all rows in ONE transaction: planned again
    inside it; any problem or error and nothing is written (issue 8)."""
    job = _claim(job_id, JobState.COMMIT_QUEUED, JobState.COMMITTING)
    if job is None:
        return
    by = job.committed_by or job.created_by
    try:
        with transaction.atomic(), audit.acting_as(by):
            path = path_of(FOLDER, job.stored_name)
            report = progress.reporter(job.pk, "committing")
            plan = make_plan(job, path, lambda done, total: report(done, total * 2), _limit(job))
            if plan.problems:
                raise _Refused(plan)
            total = max(1, len(plan.people) + len(plan.organisations))

            def step(done: int) -> None:
                report(total + done, total * 2)

            if job.kind == ImportKind.ORGANISATIONS:
                apply_organisations(job, plan.organisations, by=by, step=step)
            else:
                apply_people(job, plan.people, by=by, step=step)
            ImportJob.objects.filter(pk=job.pk).update(
                state=JobState.DONE,
                finished_at=timezone.now(),
                added=plan.added,
                updated=plan.updated,
                unchanged=plan.unchanged,
                **_counts(plan),
            )
    except _Refused as refused:
        with transaction.atomic():
            _save_problems(job, refused.plan)
            ImportJob.objects.filter(pk=job.pk).update(
                state=JobState.CHECKED,
                message="Dữ liệu trong hệ thống đã thay đổi từ lần kiểm tra trước: tệp có lỗi, "
                "chưa ghi gì. Xem các lỗi bên dưới.",
                **_counts(refused.plan),
            )
    except Exception as error:
        logger.exception("import %s: commit failed", job_id)
        _fail(job_id, "ghi", error)
    finally:
        progress.clear(job_id)


def _fail(job_id: int, what: str, error: Exception) -> None:
    """The job ends failed with one sentence: a rule's own message keeps its words, but
    not a full stop of its own before ours."""
    message = str(error) if isinstance(error, DomainError) else type(error).__name__
    message = message.rstrip().rstrip(".")
    ImportJob.objects.filter(pk=job_id).update(
        state=JobState.FAILED,
        finished_at=timezone.now(),
        message=f"Lỗi khi {what}: {message}. Không có dữ liệu nào được ghi.",
    )


# ---- the writes ------------------------------------------------------------------------


def _batches(rows: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def save_batch(model: Any, rows: list[Any]) -> None:
    """One bulk insert (a function of its own so a test can make one fail)."""
    model.objects.bulk_create(rows)


def apply_people(job: ImportJob, rows: list[PersonRow], *, by: Any, step: Any) -> None:
    """Bulk writes of a checked members or candidates file, each new record and each update
    with a history row "Nhập từ tệp <name>"."""
    note = f"Nhập từ tệp {job.file_name}"
    today = timezone.localdate()
    user = _user(by)
    done = 0
    new_people = [r.person for r in rows if r.new_person]
    for batch in _batches(new_people):
        save_batch(Person, batch)
        done += len(batch)
        step(done // 3)
    changed = [r for r in rows if not r.new_person and r.changed]
    names = sorted({name for r in changed for name in r.changed})
    for batch in _batches([r.person for r in changed]):
        Person.objects.bulk_update(batch, names)
    if job.kind == ImportKind.MEMBERS:
        _apply_members(rows, note=note, user=user, today=today, step=step, base=done)
    else:
        _apply_candidates(rows, note=note, user=user, today=today, step=step, base=done)


def _update_note(note: str, row: PersonRow) -> str:
    parts = [DETAIL_LABELS.get(name, name) for name in row.changed]
    if row.card_to_fill:
        parts.append("số thẻ đảng viên")
    return f"{note}: cập nhật {', '.join(parts)}"


def _apply_members(
    rows: list[PersonRow], *, note: str, user: Any, today: date, step: Any, base: int
) -> None:
    due: dict[tuple[date, int], date] = {}
    new: list[Member] = []
    for r in rows:
        if r.member is not None:
            continue
        v = r.values
        member = Member(
            person=r.person,
            branch=r.branch,
            org_path=r.branch.path,
            search_text=r.person.search_text,
            sort_key=r.person.sort_key,
            status=v["status"],
            admitted_on=v["admitted_on"],
            first_admitted_on=v["admitted_on"],
            probation_started_on=v.get("probation_started_on"),
            official_on=v.get("official_on") if v["status"] == Status.OFFICIAL else None,
            card_number=v.get("card_number", ""),
        )
        ceremony = member.probation_started_on
        if member.status == Status.PROBATIONARY and ceremony is not None:
            key = (ceremony, r.branch.pk)
            if key not in due:
                due[key] = recognition_vote_due(ceremony, r.branch)
            member.recognition_vote_due_on = due[key]
        new.append(member)
    done = base
    for batch in _batches(new):
        save_batch(Member, batch)
        done += len(batch)
        step(done // 2)
    history = [
        StatusChange(
            member=m,
            what=Event.STATUS,
            from_status="",
            to_status=m.status,
            on=m.probation_started_on or m.admitted_on or today,
            by=user,
            note=note,
        )
        for m in new
    ]
    cards = [r.member for r in rows if r.member is not None and r.card_to_fill]
    for r in rows:
        if r.member is not None and r.card_to_fill:
            r.member.card_number = r.card_to_fill
    for batch in _batches(cards):
        Member.objects.bulk_update(batch, ["card_number"])
    history += [
        StatusChange(
            member=r.member,
            what=Event.OTHER,
            from_status=r.member.status,
            to_status=r.member.status,
            on=today,
            by=user,
            note=_update_note(note, r),
        )
        for r in rows
        if r.member is not None and (r.changed or r.card_to_fill)
    ]
    for batch in _batches(history):
        save_batch(StatusChange, batch)
        done += len(batch) // 2
        step(done)


def _apply_candidates(
    rows: list[PersonRow], *, note: str, user: Any, today: date, step: Any, base: int
) -> None:
    new = [
        Candidate(
            person=r.person,
            branch=r.branch,
            org_path=r.branch.path,
            sort_key=r.person.sort_key,
            stage=Stage.CANDIDATE,
            listed_on=r.values.get("listed_on") or today,
        )
        for r in rows
        if r.candidate is None
    ]
    done = base
    for batch in _batches(new):
        save_batch(Candidate, batch)
        done += len(batch)
        step(done // 2)
    history = [
        StageChange(
            candidate=c,
            from_stage=Stage.CANDIDATE,
            to_stage=Stage.CANDIDATE,
            on=c.listed_on,
            by=user,
            note=note,
        )
        for c in new
    ]
    history += [
        StageChange(
            candidate=r.candidate,
            from_stage=r.candidate.stage,
            to_stage=r.candidate.stage,
            on=today,
            by=user,
            note=_update_note(note, r),
        )
        for r in rows
        if r.candidate is not None and r.changed
    ]
    for batch in _batches(history):
        save_batch(StageChange, batch)
        done += len(batch) // 2
        step(done)


def apply_organisations(job: ImportJob, rows: list[OrgRow], *, by: Any, step: Any) -> None:
    """Create the new nodes in file order (a parent before its children) and bring the known
    ones up to date, through the organisation actions (which check the tree's rules)."""
    from dangvien.organisations import actions as org_actions
    from dangvien.organisations.queries import SECTOR_OWNERS

    node = job.organisation
    by_code: dict[str, Organisation] = {}
    from dangvien.core.text import fold

    for org in Organisation.objects.filter(path__startswith=node.path).exclude(code=""):
        by_code[fold(org.code)] = org
    for done, r in enumerate(rows, start=1):
        parent = by_code[fold(r.parent_code)] if r.parent_code else node
        if r.existing is None:
            org = org_actions.create_organisation(
                name=r.name,
                kind=r.kind,
                parent=parent,
                by=by,
                code=r.code,
                committee_size=r.committee_size,
                sector=r.sector if (r.sector and r.kind in SECTOR_OWNERS) else None,
            )
            by_code[fold(r.code)] = org
        elif r.changes:
            org = r.existing
            if "name" in r.changes or "committee_size" in r.changes:
                org_actions.update_organisation(
                    org,
                    by=by,
                    name=r.changes.get("name", org.name),
                    code=org.code,
                    authorised_to_admit=org.authorised_to_admit,
                    committee_size=r.changes.get("committee_size", org.committee_size),
                    standing_committee_size=org.standing_committee_size,
                )
            if "sector" in r.changes:
                org_actions.set_sector(org, r.changes["sector"], by=by)
        step(done)
