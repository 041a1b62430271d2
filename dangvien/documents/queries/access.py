"""Who may number, upload and see documents (issue 8). A role at a node covers its subtree
(``accounts.queries.can``); the subject itself is fetched through the scope queries, so
anything outside the user's subtree is simply not found (404)."""

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.candidates.models import Candidate
from dangvien.candidates.queries import visible_candidates
from dangvien.documents.forms import (
    BRANCH,
    CANDIDATE,
    COMMITTEE,
    DECIDER,
    GRASSROOTS,
    MEMBER,
    PERSONAL,
    SUB_COMMITTEE,
    Form,
)
from dangvien.documents.models import Scan
from dangvien.members.models import Member
from dangvien.members.queries import visible_members
from dangvien.organisations.models import Kind, Organisation

if TYPE_CHECKING:
    from dangvien.accounts.models import User

Subject = Candidate | Member

# The capabilities that let a user keep the register of a body: a chi bộ's secretary
# numbers the chi bộ's papers, the grassroots đảng ủy's staff its own, the committee's
# organisation board the decisions (36-HD/VPTW 2018 §II.1: each body numbers its own) [C].
NUMBERING = (Capability.BRANCH_MOVES, Capability.ENDORSE, Capability.DECIDE)


def number_capabilities(issuer: str, organisation: Organisation) -> tuple[str, ...]:
    """Which capabilities, held at ``organisation``, let a user take a number for a
    document whose issuer is ``issuer`` (a ``forms`` issuer; "" for a document made
    outside the system: any numbering capability at the body)."""
    if issuer == BRANCH:
        return (Capability.BRANCH_MOVES,)
    if issuer in (SUB_COMMITTEE, GRASSROOTS):
        return (Capability.ENDORSE,)
    if issuer in (DECIDER, COMMITTEE):
        if organisation.kind == Kind.GRASSROOTS_COMMITTEE:
            return (Capability.DECIDE, Capability.ENDORSE)
        return (Capability.DECIDE,)
    return NUMBERING


def may_number(user: "User", issuer: str, organisation: Organisation) -> bool:
    return any(can(user, c, organisation.path) for c in number_capabilities(issuer, organisation))


def may_number_form(user: "User", form: Form, organisation: Organisation) -> bool:
    return form.numbered and may_number(user, form.issuer, organisation)


def may_keep_register(user: "User", organisation: Organisation) -> bool:
    """Whether ``user`` may take a number from ``organisation``'s register for a document
    made outside the system."""
    return may_number(user, "", organisation)


def may_handle_scans(
    user: "User", subject: Subject, form: Form | None = None, item: str = ""
) -> bool:
    """Upload or delete signed scans: the chi bộ's own moves, or the endorsing / deciding
    committee above it (issue 8). A leader (view only) may read them, not change them.

    With ``form``: the scan of a document issued by a body above the chi bộ (the đảng ủy's
    resolution, the committee's decision: 9-KNĐ, 16-KNĐ, QĐ-XT…) is that body's paper, so
    it takes what numbering it takes (``may_number``): a chi bộ secretary does not put or
    take away the committee's signed decision."""
    if not any(
        can(user, c, subject.org_path)
        for c in (Capability.BRANCH_MOVES, Capability.ENDORSE, Capability.DECIDE)
    ):
        return False
    if form is None or form.issuer in (PERSONAL, BRANCH):
        return True
    from dangvien.documents import issuers
    from dangvien.documents.contexts import issuing_branch

    branch = issuing_branch(form, subject, item)
    organisation = issuers.issuer_of(form, branch)
    if organisation is None:
        return False
    if organisation.pk == branch.pk:
        return True
    return may_number(user, form.issuer, organisation)


def subject_kind(subject: Subject) -> str:
    """``forms.CANDIDATE`` or ``forms.MEMBER``."""
    return CANDIDATE if isinstance(subject, Candidate) else MEMBER


def subject_of(scan: Scan) -> Subject:
    return scan.candidate if scan.candidate_id else scan.member  # type: ignore[return-value]


def visible_candidate(user: "User", pk: int) -> Candidate:
    return get_object_or_404(visible_candidates(user), pk=pk)


def visible_member(user: "User", pk: int) -> Member:
    return get_object_or_404(visible_members(user), pk=pk)


def visible_subject(user: "User", kind: str, pk: int) -> Subject:
    """The candidate (``kind`` "candidate") or member ("member") ``pk`` in the user's scope;
    404 otherwise."""
    return visible_candidate(user, pk) if kind == "candidate" else visible_member(user, pk)


def visible_scan(user: "User", pk: int) -> Scan:
    """The scan ``pk`` if its candidate or member is in the user's scope; 404 otherwise
    (the same answer as for a scan that does not exist)."""
    scan = get_object_or_404(Scan.objects.select_related("candidate", "member"), pk=pk)
    if scan.candidate_id:
        visible_candidate(user, scan.candidate_id)
    else:
        visible_member(user, scan.member_id)  # type: ignore[arg-type]
    return scan


def may_number_for(user: "User", form: Form, subject: Subject, item: str = "") -> bool:
    """Whether ``user`` may take the number of ``form`` for ``subject`` from its issuer's
    register (the "Cấp số" button)."""
    from dangvien.documents import issuers
    from dangvien.documents.contexts import issuing_branch

    if not form.numbered:
        return False
    organisation = issuers.issuer_of(form, issuing_branch(form, subject, item))
    return organisation is not None and may_number(user, form.issuer, organisation)
