"""``manage.py render_forms --out docs/forms``: every form filled with its sample data, as
PDF and DOCX, with a PNG of page 1 of each (issue 8), to look at the forms without
running the app. PDF → PNG with ``pdftoppm`` (poppler-utils); DOCX → PDF with LibreOffice
(``soffice --headless``) then ``pdftoppm``; the DOCX picture is skipped with a warning
when LibreOffice is missing."""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangvien.documents.forms import FORMS
from dangvien.documents.render import render
from dangvien.documents.templating import has_default, sample_for


def png_of_pdf(pdf: Path, png: Path) -> None:
    """Page 1 of ``pdf`` as ``png`` at 60 dpi."""
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
        capture_output=True,
        timeout=60,
    )


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    return out_dir / (docx.stem + ".pdf")


class Command(BaseCommand):
    help = "Xuất mọi mẫu văn bản với dữ liệu mẫu ra PDF, DOCX và ảnh PNG trang đầu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default="docs/forms", help="Thư mục ghi tệp")
        parser.add_argument("--no-png", action="store_true", help="Không tạo ảnh PNG")

    def handle(self, *args: Any, out: str, no_png: bool, **options: Any) -> None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        pdftoppm = shutil.which("pdftoppm") and not no_png
        soffice = shutil.which("soffice") and not no_png
        if not no_png and not pdftoppm:
            self.stderr.write("Không có pdftoppm (poppler-utils): bỏ qua ảnh PNG.")
        if pdftoppm and not soffice:
            self.stderr.write("Không có LibreOffice (soffice): bỏ qua ảnh PNG của bản DOCX.")
        done = 0
        for form in FORMS:
            if not has_default(form):
                self.stderr.write(f"{form.code}: chưa có mẫu mặc định, bỏ qua.")
                continue
            context = sample_for(form)
            started = time.perf_counter()
            pdf = folder / f"{form.slug}.pdf"
            docx = folder / f"{form.slug}.docx"
            pdf.write_bytes(render(form, context, "pdf"))
            docx.write_bytes(render(form, context, "docx"))
            seconds = time.perf_counter() - started
            if pdftoppm:
                png_of_pdf(pdf, folder / f"{form.slug}.png")
            if pdftoppm and soffice:
                with tempfile.TemporaryDirectory() as tmp:
                    try:
                        converted = docx_to_pdf(docx, Path(tmp))
                        png_of_pdf(converted, folder / f"{form.slug}.docx.png")
                    except (subprocess.SubprocessError, OSError) as error:
                        self.stderr.write(
                            f"{form.code}: LibreOffice không chuyển được DOCX ({error})."
                        )
            done += 1
            self.stdout.write(f"{form.code}: {form.title} ({seconds:.2f} giây)")
        if not done:
            raise CommandError("Không có mẫu nào để xuất.")
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {done} mẫu vào {folder}."))
