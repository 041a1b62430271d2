"""Every write of the quality review (366-QĐ/TW; DOMAIN.md §4): periods, self-assessments,
the chi bộ's sheet, the committee's bulk decision and publication, organisations'
ratings, discipline records. Each public action checks the user's permission itself."""

from dangvien.reviews.actions._common import BulkRefused, DecisionItem, RowResult
from dangvien.reviews.actions.decisions import decide_ratings, publish_ratings
from dangvien.reviews.actions.disciplines import can_record_discipline, record_discipline
from dangvien.reviews.actions.members import SheetRow, record_self_assessment, save_branch_sheet
from dangvien.reviews.actions.organisations import decide_org_ratings, record_org_assessment
from dangvien.reviews.actions.periods import close_period, open_period

__all__ = [
    "BulkRefused",
    "DecisionItem",
    "RowResult",
    "SheetRow",
    "can_record_discipline",
    "close_period",
    "decide_org_ratings",
    "decide_ratings",
    "open_period",
    "publish_ratings",
    "record_discipline",
    "record_org_assessment",
    "record_self_assessment",
    "save_branch_sheet",
]
