"""Demo data of the documents area (issue 8), built through the actions.

- The demo commune and the demo đảng bộ cơ sở sign their documents with their own
  symbol, place name and term start (the organisation page's "Thể thức văn bản").
- The demo commune's register holds a few numbers taken for documents made outside the
  system (công văn, thông báo), and the dossiers of the demo chi bộ's candidates waiting
  for the chi bộ's vote have their 5-KNĐ numbered, so the dossier page shows both a
  numbered document and the "Cấp số" button.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dangvien.candidates.models import Candidate, Stage
from dangvien.documents.actions.register import number_document, take_number
from dangvien.documents.forms import BY_CODE
from dangvien.organisations.actions import set_document_signing

if TYPE_CHECKING:
    from dangvien.core.demo import Demo

OUTSIDE = [
    ("CV", "Về việc chuẩn bị kiểm điểm, xếp loại chất lượng cuối năm"),
    ("TB", "Thông báo kết luận của Ban Thường vụ về công tác phát triển đảng viên"),
    ("CV", "Về việc rà soát nguồn quần chúng ưu tú quý IV"),
]


def build_documents(demo: "Demo") -> dict[str, Any]:
    commune, gc = demo.demo_commune, demo.demo_gc
    assert commune is not None and gc is not None and demo.demo_branch is not None
    set_document_signing(commune, by=None, document_symbol="ĐU", term_started_on=date(2025, 8, 15))
    set_document_signing(gc, by=None, document_symbol="ĐU", term_started_on=date(2025, 6, 20))
    staff = demo.users["demo.xa"]
    taken = 0
    for offset, (series, summary) in enumerate(OUTSIDE):
        on = demo.today - timedelta(days=30 - 10 * offset)
        take_number(commune, series, on=on, by=staff, summary=summary)
        taken += 1
    secretary = demo.users["demo.chibo"]
    waiting = Candidate.objects.filter(
        branch=demo.demo_branch.org, stage=Stage.BACKGROUND_CHECKED
    ).order_by("pk")
    form = BY_CODE["5-KNĐ"]
    for candidate in waiting[:2]:
        number_document(form, candidate, on=demo.today - timedelta(days=3), by=secretary)
        taken += 1
    return {"numbers_taken": taken}
