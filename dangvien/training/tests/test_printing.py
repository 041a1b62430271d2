"""The printable certificate (mẫu CN-NTVĐ) as PDF."""

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from dangvien.candidates.models import Stage
from dangvien.factories import make_candidate
from dangvien.training.actions import close_course
from dangvien.training.models import Certificate, CourseStatus
from dangvien.training.printing import certificate_pdf
from dangvien.training.tests.factories import attend, enrol, make_course, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(tree) -> Certificate:
    course = make_course(
        tree["commune"],
        status=CourseStatus.RUNNING,
        sessions=2,
        organiser_name="Trung tâm Chính trị xã An Bình",
        venue="Hội trường Đảng ủy xã",
    )
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.IN_AWARENESS_COURSE,
        person__family_name="Trần",
        person__middle_name="Thị Thu",
        person__given_name="Hương",
    )
    e = enrol(course, candidate, mark=Decimal("8.25"))
    attend(e, 2)
    close_course(course, first_number="0125", issued_on=today(), by=None)
    return Certificate.objects.get()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_the_certificate_pdf_carries_the_number_the_learner_and_the_mark(certificate, tmp_path):
    pdf = tmp_path / "cn.pdf"
    pdf.write_bytes(certificate_pdf(certificate))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "0125-CN/TTCT" in text
    assert "17/05/1995" in text  # the factory's birth date
    assert "8,25" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_the_certificate_fits_one_a5_landscape_page(certificate, tmp_path: Path):
    pdf = tmp_path / "cn.pdf"
    pdf.write_bytes(certificate_pdf(certificate))
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 1000


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_a_printed_certificate_carries_who_printed_it_and_when(certificate, tmp_path):
    pdf = tmp_path / "cn.pdf"
    stamp = "Trích xuất bởi Lê Văn An (le.an) lúc 24/11/2026 09:15"
    pdf.write_bytes(certificate_pdf(certificate, stamp=stamp))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert stamp in text
    assert "Trích xuất bởi" not in _text(certificate_pdf(certificate), tmp_path)


def _text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "plain.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
