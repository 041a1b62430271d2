"""The moves a user may offer on a candidate: the stage allows it and the role covers it.

Pages and the API both ask ``allowed_moves``; a move the stage allows but the role does
not is answered 403 (API.md), a move the stage does not allow 409.
"""

from dataclasses import dataclass

from dangvien.accounts import queries as access
from dangvien.accounts.models import Capability, User
from dangvien.candidates.models import Candidate, Stage
from dangvien.organisations.queries import admission_chain


@dataclass(frozen=True)
class Move:
    name: str  # the API path segment
    label: str
    stages: tuple[str, ...]


PRE_VOTE = (
    Stage.CANDIDATE,
    Stage.IN_AWARENESS_COURSE,
    Stage.CERTIFIED,
    Stage.DOSSIER_OPEN,
    Stage.BACKGROUND_CHECKED,
)
OPEN = (*PRE_VOTE, Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED, Stage.ADMITTED)
RECERTIFIABLE = (Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)

MOVES = {
    m.name: m
    for m in [
        Move("start-course", "Cử đi học lớp nhận thức về Đảng", (Stage.CANDIDATE,)),
        Move(
            "certify",
            "Ghi nhận giấy chứng nhận (cả khi học lại)",
            (Stage.CANDIDATE, Stage.IN_AWARENESS_COURSE, *RECERTIFIABLE),
        ),
        Move("open-dossier", "Nhận đơn và lý lịch", (Stage.CERTIFIED,)),
        Move(
            "record-background-check",
            "Ghi kết quả thẩm tra lý lịch",
            (Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED),
        ),
        Move("assign-helper", "Phân công đảng viên giúp đỡ", OPEN),
        Move("education-exception", "Ghi căn cứ ngoại lệ về học vấn", PRE_VOTE),
        Move(
            "introducers",
            "Thêm người giới thiệu",
            (Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED),
        ),
        Move("over-age-approval", "Ghi văn bản đồng ý kết nạp trên 60 tuổi", PRE_VOTE),
        Move("record-branch-vote", "Ghi nghị quyết chi bộ", (Stage.BACKGROUND_CHECKED,)),
        Move("record-grassroots-vote", "Ghi nghị quyết đảng ủy cơ sở", (Stage.BRANCH_PROPOSED,)),
        Move(
            "extend-deadline",
            "Gia hạn thời gian xét",
            (Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED),
        ),
        Move(
            "decide-admission",
            "Quyết định kết nạp",
            (Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED),
        ),
        Move("hold-ceremony", "Ghi lễ kết nạp", (Stage.ADMITTED,)),
        Move("withdraw", "Đưa ra khỏi nguồn", OPEN),
    ]
}


def stage_allows(candidate: Candidate, name: str) -> bool:
    move = MOVES[name]
    if candidate.stage not in move.stages:
        return False
    if name in ("record-grassroots-vote", "decide-admission"):
        chain = admission_chain(candidate.branch)
        if name == "record-grassroots-vote":
            return chain.endorser is not None
        # Where a đảng ủy cơ sở sits between, the decider may still record a refusal
        # before its endorsement (it declined to propose); admitting needs the endorsement.
        return True
    return True


def role_allows(user: User, candidate: Candidate, name: str) -> bool:
    if name == "record-grassroots-vote":
        endorser = admission_chain(candidate.branch).endorser
        if endorser is None:  # nothing to endorse here: the stage check answers (409)
            return access.can(user, Capability.ENDORSE, candidate.org_path) or access.can(
                user, Capability.DECIDE, candidate.org_path
            )
        return access.can_endorse_for(user, endorser)
    if name in ("decide-admission", "extend-deadline"):
        return access.can_decide_for(user, admission_chain(candidate.branch).decider)
    if name == "withdraw" and candidate.stage == Stage.ADMITTED:
        # After the decision only the deciding committee may withdraw (revoking it).
        return access.can_decide_for(user, admission_chain(candidate.branch).decider)
    if name == "over-age-approval":
        return access.can_approve_as_province(user, candidate.org_path)
    return access.can(user, Capability.BRANCH_MOVES, candidate.org_path)


def allowed_moves(user: User, candidate: Candidate) -> list[Move]:
    """The moves to offer this user now, in pipeline order."""
    return [
        move
        for name, move in MOVES.items()
        if stage_allows(candidate, name) and role_allows(user, candidate, name)
    ]


def can_create_in(user: User, branch_path: str) -> bool:
    return access.can(user, Capability.BRANCH_MOVES, branch_path)
