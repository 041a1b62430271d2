"""Every shipped form, filled with its sample data, renders to a PDF whose title reads
exactly (diacritics included) and whose first page is not blank; ``render_forms`` writes
the files (issue 8)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from dangvien.documents.forms import FORMS, Form
from dangvien.documents.management.commands.render_forms import png_of_pdf
from dangvien.documents.render import render
from dangvien.documents.render.markup import parse, plain
from dangvien.documents.templating import render_text, sample_for

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
    reason="pdftoppm/pdftotext (poppler-utils) không có",
)


def title_of(form: Form) -> str:
    blocks, _ = parse(render_text(form, sample_for(form)), strict=False)
    return next(plain(b.text) for b in blocks if b.kind == "title").upper()


@pytest.mark.parametrize("form", FORMS, ids=[f.slug for f in FORMS])
def test_each_form_prints_its_title_exactly_on_a_page_that_is_not_blank(
    form: Form, tmp_path: Path
) -> None:
    pdf = tmp_path / f"{form.slug}.pdf"
    pdf.write_bytes(render(form, sample_for(form), "pdf"))
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert title_of(form) in " ".join(text.split())
    png = tmp_path / f"{form.slug}.png"
    png_of_pdf(pdf, png)
    with Image.open(png) as image:
        shades = image.convert("L").histogram()  # pixels per grey level, black first
    darkest = next(level for level, count in enumerate(shades) if count)
    inked = sum(shades[:128])  # pixels darker than mid-grey
    assert darkest < 64 and inked > 500


def test_render_forms_writes_a_pdf_a_docx_and_a_picture_per_form(tmp_path: Path) -> None:
    call_command("render_forms", "--out", str(tmp_path), "--no-png")
    for form in FORMS:
        assert (tmp_path / f"{form.slug}.pdf").read_bytes().startswith(b"%PDF-")
        assert (tmp_path / f"{form.slug}.docx").read_bytes().startswith(b"PK")
