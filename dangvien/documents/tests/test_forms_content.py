"""The shipped templates of every form: present, documented, valid markup, filled by the
sample without a missing value, and rendered to PDF and DOCX (issue 8)."""

import io
import zipfile
from pathlib import Path

import pytest
from django.template import Context, Engine

from dangvien.documents.forms import FORMS, Form
from dangvien.documents.render import render
from dangvien.documents.samples import sample_context
from dangvien.documents.templating import check_template

FOLDER = Path(__file__).resolve().parent.parent / "forms"
STRICT = Engine(
    autoescape=False,
    builtins=["dangvien.core.templatetags.vn"],
    string_if_invalid="«THIẾU %s»",
)
ids = [f.slug for f in FORMS]


def text_of(form: Form) -> str:
    return (FOLDER / f"{form.slug}.txt").read_text(encoding="utf-8")


def test_every_form_has_a_template_file_and_no_file_is_left_over() -> None:
    assert {p.stem for p in FOLDER.glob("*.txt")} == {f.slug for f in FORMS}


@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_each_template_opens_with_a_comment_naming_the_form_and_its_keys(form: Form) -> None:
    first = text_of(form).splitlines()[0]
    assert first.startswith("{#") and first.endswith("#}")
    assert form.code in first


@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_each_template_passes_the_template_check(form: Form) -> None:
    assert check_template(form, text_of(form)) == []


@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_the_sample_fills_every_value_the_template_prints(form: Form) -> None:
    text = STRICT.from_string(text_of(form)).render(Context(sample_context(form)))
    assert "«THIẾU" not in text
    assert sample_context(form)["person"]["full_name"] in text


@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_the_sample_is_plain_data_with_the_forms_own_header(form: Form) -> None:
    context = sample_context(form)

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return isinstance(value, str | int | bool)

    assert plain(context)
    assert context["form"] == {"code": form.code, "title": form.title}
    if form.numbered:
        assert context["header"]["number"].startswith("Số ")
        assert f"-{form.series}/" in context["header"]["number"]


@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_each_template_renders_the_sample_to_pdf_and_docx(form: Form) -> None:
    pdf = render(form, sample_context(form), "pdf")
    assert pdf.startswith(b"%PDF-")
    docx = render(form, sample_context(form), "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert "word/document.xml" in archive.namelist()
        body = archive.read("word/document.xml").decode("utf-8")
    assert sample_context(form)["person"]["full_name"] in body
