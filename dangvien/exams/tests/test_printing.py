"""Printed papers: DOCX opens with python-docx and holds the Vietnamese text, the key
follows the variant's option order, the oral part stays off the candidate's paper, PDFs
are PDFs and draw Vietnamese with the shipped font."""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from fontTools.ttLib import TTFont

from dangvien.exams import printing
from dangvien.exams.actions import rounds as actions
from dangvien.exams.models import Difficulty, Part, QuestionType
from dangvien.exams.queries.rounds import papers_with_items
from dangvien.exams.tests.factories import topic
from dangvien.exams.tests.factories_rounds import bank, new_round, ready_round

VIETNAMESE = "Đảng Cộng sản Việt Nam ra đời ngày nào? Ưu tiên, trường hợp, Hồ Chí Minh"


def _text(docx_bytes: bytes) -> str:
    document = Document(io.BytesIO(docx_bytes))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def paper(tree, committee, board):
    exam_round = ready_round(tree["commune"], committee, board=board, written=3, oral=1)
    bank(
        tree["commune"],
        topic_code="cuong-linh",
        types=(QuestionType.TRUE_FALSE, QuestionType.ESSAY),
        n=2,
        text=VIETNAMESE,
    )
    lines = [
        actions.Line(Part.WRITTEN, topic("dieu-le-dang"), Difficulty.MEDIUM, 3),
        actions.Line(Part.WRITTEN, topic("cuong-linh"), Difficulty.MEDIUM, 2),
        actions.Line(Part.ORAL, topic("lich-su-dang"), Difficulty.MEDIUM, 1),
    ]
    actions.set_blueprint(exam_round, lines=lines, by=committee)
    actions.generate_papers(exam_round, by=committee)
    return papers_with_items(exam_round)[0]


def test_the_candidates_docx_opens_and_holds_the_header_and_the_vietnamese_text(paper):
    document = Document(io.BytesIO(printing.paper_docx(paper)))
    text = _text(printing.paper_docx(paper))
    assert "HỘI ĐỒNG KIỂM TRA, ĐÁNH GIÁ NHẬN THỨC" in text
    assert "ĐẢNG BỘ XÃ AN BÌNH" in text
    assert "Mã đề 001" in text
    assert "Thời gian làm bài: 45 phút" in text
    assert "Họ và tên thí sinh" in text and "Ngày sinh" in text
    assert VIETNAMESE in text
    assert "Đúng / Sai" in text
    assert document.styles["Normal"].font.name == "Times New Roman"
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_the_oral_part_is_on_the_boards_copy_not_on_the_candidates_paper(paper):
    oral = next(i for i in paper.items.all() if i.part == Part.ORAL)
    assert oral.version.text not in _text(printing.paper_docx(paper))
    key = _text(printing.key_docx(paper))
    assert oral.version.text in key and "PHẦN VẤN ĐÁP" in key


def test_options_are_relabelled_in_the_variants_order_and_the_key_follows(paper):
    """The bank's key is "B"; on the paper it carries the letter where B's text lands."""
    single = next(i for i in paper.items.all() if i.version.question.type == QuestionType.SINGLE)
    single.option_order = ["C", "D", "B", "A"]
    printed = next(p for p in printing.print_items(paper) if p.text == single.version.text)
    assert [letter for letter, _t in printed.options] == ["A", "B", "C", "D"]
    assert printed.options[2][1] == single.version.options[1]["text"]  # B's text third
    assert printed.key == "C"
    assert printing.displayed_key(single) == "C"


def test_the_printed_key_uses_the_letters_of_the_shuffled_options(paper):
    """Single choice, key "B" in the bank: the key table's row carries the letter where B
    is printed on this variant, next to the same question number as on the paper."""
    key_rows = {
        row.cells[0].text: row.cells[2].text
        for row in Document(io.BytesIO(printing.key_docx(paper))).tables[1].rows[1:]
    }
    paper_text = _text(printing.paper_docx(paper))
    singles = 0
    for item in paper.items.all():
        if item.version.question.type != QuestionType.SINGLE:
            continue
        singles += 1
        letter = "ABCD"[item.option_order.index("B")]
        right_text = item.version.options[1]["text"]
        assert f"{letter}. {right_text}" in paper_text
        assert key_rows[str(item.position)] == letter
    assert singles == 3
    assert "Tiêu chí chấm" in _text(printing.key_docx(paper))


def test_the_pdfs_are_pdfs(paper):
    assert printing.paper_pdf(paper).startswith(b"%PDF")
    assert printing.key_pdf(paper).startswith(b"%PDF")


def test_the_shipped_font_has_every_vietnamese_letter():
    """Liberation Serif 2.x covers Vietnamese; 1.07 lacks ả, ư, ộ… and prints gaps."""
    letters = "ăâđêôơưĂÂĐÊÔƠƯảạấầẩẫậắằẳẵặẻẽẹếềểễệỉịỏọốồổỗộớờởỡợủụứừửữựỳỷỹỵ"
    for face in ("Regular", "Bold", "Italic"):
        font = TTFont(printing.FONT_DIR / f"LiberationSerif-{face}.ttf")
        cmap = font.getBestCmap()
        missing = [ch for ch in letters + letters.upper() if ord(ch) not in cmap]
        assert not missing, f"{face} thiếu {''.join(missing)}"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_a_pdf_page_renders_to_an_image(paper, tmp_path: Path):
    pdf = tmp_path / "de.pdf"
    pdf.write_bytes(printing.paper_pdf(paper))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    pages = list(tmp_path.glob("p*.png"))
    assert pages and pages[0].stat().st_size > 1000


def test_the_zip_holds_every_variants_paper_and_key_in_both_formats(paper):
    papers = list(papers_with_items(paper.round))
    with zipfile.ZipFile(io.BytesIO(printing.papers_zip(papers))) as bundle:
        names = set(bundle.namelist())
    assert len(names) == 4 * len(papers)
    assert "de-kiem-tra-ma-de-001.docx" in names and "dap-an-ma-de-001.pdf" in names


def test_code_slips_are_a_pdf(tree, committee):
    exam_round = new_round(tree["commune"], committee)
    slip = printing.Slip(
        "Nguyễn Thị Hường", exam_round.held_on, "Chi bộ thôn Đông", "001", "K7QM-2XPA"
    )
    assert printing.code_slips_pdf(exam_round, [slip] * 5, entry_url="/thi/").startswith(b"%PDF")
