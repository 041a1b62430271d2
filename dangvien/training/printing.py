"""The printable certificate: mẫu CN-NTVĐ (lớp bồi dưỡng nhận thức về Đảng) and the
new-member course certificate, as an A5 landscape PDF drawn with fpdf2 and the shipped
Liberation Serif (metric-compatible with Times New Roman, full Vietnamese).

The layout follows the usual form of a party document (thể thức văn bản của Đảng,
36-HD/VPTW [U]: not checked against the printed CN-NTVĐ model): the issuing body on the
left, "ĐẢNG CỘNG SẢN VIỆT NAM" on the right, then the title, the facts and the signature.
"""

from pathlib import Path

from fpdf import FPDF

from dangvien.training.models import Certificate, CourseKind

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"
FAMILY = "LiberationSerif"


def _pdf() -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format=(148, 210))  # A5
    for style, suffix in (("", "Regular"), ("B", "Bold"), ("I", "Italic"), ("BI", "BoldItalic")):
        pdf.add_font(FAMILY, style, str(FONTS / f"LiberationSerif-{suffix}.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 10, 14)
    pdf.set_title("Giấy chứng nhận")
    pdf.set_author("Phát triển đảng viên")
    return pdf


def _mark(value: object) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def _row(pdf: FPDF, label: str, value: str, *, x: float = 22, label_w: float = 42) -> None:
    pdf.set_x(x)
    pdf.set_font(FAMILY, "", 12.5)
    pdf.cell(label_w, 7.2, label)
    pdf.set_font(FAMILY, "B", 12.5)
    pdf.cell(0, 7.2, value, new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(certificate: Certificate, *, stamp: str = "") -> bytes:
    """The certificate as PDF bytes; ``stamp`` (``listexport.watermark``: who printed it
    and when, issue 9) in small grey type inside the bottom frame."""
    enrolment = certificate.enrolment
    course = enrolment.course
    person = certificate.person
    awareness = certificate.kind == CourseKind.AWARENESS
    pdf = _pdf()
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    half = width / 2 - 4

    # Frame.
    pdf.set_draw_color(150, 20, 20)
    pdf.set_line_width(0.8)
    pdf.rect(6, 6, pdf.w - 12, pdf.h - 12)
    pdf.set_line_width(0.25)
    pdf.rect(7.6, 7.6, pdf.w - 15.2, pdf.h - 15.2)
    pdf.set_draw_color(0, 0, 0)

    # Header: issuing body on the left, the party on the right.
    top = 12
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(half, 5.2, certificate.issuer.name.upper(), align="C")
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "B", 11)
    centre = course.organiser_name or "Trung tâm Chính trị"
    pdf.multi_cell(half, 5.2, centre.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(half, 5, "*", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin)
    pdf.cell(half, 5.5, f"Số: {certificate.number}", align="C")

    right = pdf.l_margin + width / 2 + 4
    pdf.set_xy(right, top)
    pdf.set_font(FAMILY, "B", 12)
    title = "ĐẢNG CỘNG SẢN VIỆT NAM"
    pdf.cell(half, 6, title, align="C", new_x="LMARGIN", new_y="NEXT")
    line_w = pdf.get_string_width(title)
    mid = right + half / 2
    pdf.line(mid - line_w / 2, top + 6.3, mid + line_w / 2, top + 6.3)
    pdf.set_xy(right, top + 9)
    pdf.set_font(FAMILY, "I", 11.5)
    day = certificate.issued_on
    pdf.cell(
        half,
        6,
        f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        align="C",
    )

    # Title.
    pdf.set_xy(pdf.l_margin, 40)
    pdf.set_text_color(170, 20, 20)
    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(width, 9, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 13)
    subtitle = (
        "HỌC LỚP BỒI DƯỠNG NHẬN THỨC VỀ ĐẢNG"
        if awareness
        else "HỌC LỚP BỒI DƯỠNG LÝ LUẬN CHÍNH TRỊ DÀNH CHO ĐẢNG VIÊN MỚI"
    )
    pdf.cell(width, 7, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    # Facts.
    unit = ""
    if enrolment.candidate_id and enrolment.candidate:
        unit = enrolment.candidate.branch.name
    elif enrolment.member_id and enrolment.member:
        unit = enrolment.member.branch.name
    _row(pdf, "Chứng nhận:", ("Đồng chí " if not awareness else "") + person.full_name)
    _row(pdf, "Sinh ngày:", f"{person.birth_date:%d/%m/%Y}")
    if person.hometown:
        _row(pdf, "Quê quán:", person.hometown)
    if unit:
        _row(pdf, "Sinh hoạt tại:", unit)
    pdf.set_x(22)
    pdf.set_font(FAMILY, "", 12.5)
    period = f"từ ngày {course.starts_on:%d/%m/%Y} đến ngày {course.ends_on:%d/%m/%Y}"
    where = f" tại {course.venue}" if course.venue else ""
    pdf.multi_cell(
        width - 8,
        7.2,
        f"Đã hoàn thành chương trình lớp “{course.name}”, {period}{where}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if enrolment.mark is not None:
        _row(pdf, "Điểm bài thu hoạch:", _mark(enrolment.mark))

    # Signature block.
    sign_top = max(pdf.get_y() + 3, 104)
    pdf.set_xy(right, sign_top)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(half, 6, "GIÁM ĐỐC", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(right)
    pdf.set_font(FAMILY, "I", 10.5)
    pdf.cell(half, 5, "(Ký tên, đóng dấu)", align="C")
    if stamp:
        pdf.set_xy(pdf.l_margin, pdf.h - 13)
        pdf.set_font(FAMILY, "", 7)
        pdf.set_text_color(120, 120, 120)
        pdf.cell(width, 4, stamp)
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
