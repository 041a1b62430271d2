"""Which text a form renders from, filling it in, and checking an uploaded template
(issue 8: templates replaceable per province without code changes)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dangvien.documents import templating
from dangvien.documents.forms import BY_CODE
from dangvien.documents.models import FormTemplate
from dangvien.documents.render import render
from dangvien.documents.tests.test_render import CONTEXT, DECISION
from dangvien.organisations.models import Organisation

FORM = BY_CODE["9-KNĐ"]


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A forms folder holding only 9-KND.txt (the decision), and the decision's sample."""
    (tmp_path / "9-KND.txt").write_text(DECISION, encoding="utf-8")
    monkeypatch.setattr(templating, "FORMS_DIR", tmp_path)
    monkeypatch.setattr(templating, "sample_for", lambda form: CONTEXT)
    return tmp_path


def test_without_a_province_template_the_shipped_file_is_used(shipped: Path, tree: Any) -> None:
    assert templating.template_text(FORM, tree["province"]) == DECISION
    assert templating.template_text(FORM, None) == DECISION


def test_a_province_template_replaces_the_default_for_every_node_under_it(
    shipped: Path, tree: dict[str, Organisation]
) -> None:
    FormTemplate.objects.create(province=tree["province"], form=FORM.code, text="# Riêng")
    assert templating.template_text(FORM, tree["province"]) == "# Riêng"
    assert templating.template_text(FORM, tree["village"]) == "# Riêng"
    other = Organisation.objects.create(name="Tỉnh ủy Khác", kind="province")
    assert templating.template_text(FORM, other) == DECISION


def test_render_takes_the_province_template(shipped: Path, tree: dict[str, Organisation]) -> None:
    FormTemplate.objects.create(
        province=tree["province"], form=FORM.code, text="@header\n# Mẫu của tỉnh"
    )
    pdf = render(FORM, CONTEXT, "pdf", tree["commune"])
    assert pdf.startswith(b"%PDF-")
    with pytest.raises(ValueError, match="Định dạng không hỗ trợ"):
        render(FORM, CONTEXT, "odt")


def test_filling_does_not_escape_and_has_the_vietnamese_filters(shipped: Path) -> None:
    FORMS_TEXT = "{{ name }} · {{ day|ngay }} · {{ count|so }} · {{ missing }}|"
    (shipped / "9-KND.txt").write_text(FORMS_TEXT, encoding="utf-8")
    text = templating.render_text(
        FORM, {"name": "Đảng ủy <xã> & “An Bình”", "day": date(2026, 3, 5), "count": 1318}
    )
    assert text == "Đảng ủy <xã> & “An Bình” · 05/03/2026 · 1.318 · |"


def test_a_good_template_has_no_problem(shipped: Path) -> None:
    assert templating.check_template(FORM, DECISION) == []


def test_a_template_syntax_error_is_reported_with_its_line(shipped: Path) -> None:
    problems = templating.check_template(FORM, "# Tiêu đề\n\n{% if person %}\nKhông đóng")
    assert len(problems) == 1 and problems[0].startswith("Dòng 3: lỗi cú pháp mẫu (")


def test_an_unknown_command_is_reported_at_the_template_line(shipped: Path) -> None:
    text = "{% for x in '12' %}\n{{ x }}\n{% endfor %}\n@chuky {{ issuer.name }}"
    assert templating.check_template(FORM, text) == ["Dòng 4: lệnh “@chuky” không có trong mẫu"]


def test_a_table_with_uneven_columns_is_reported(shipped: Path) -> None:
    text = "| STT | Họ và tên |\n| 1 | {{ person.full_name }} | thừa |"
    assert templating.check_template(FORM, text) == [
        "Dòng 2 của văn bản sau khi điền dữ liệu mẫu: "
        "hàng bảng có 3 cột, hàng đầu của bảng có 2 cột"
    ]
    assert templating.check_template(FORM, "| a | b |\n| c |") == [
        "Dòng 2: hàng bảng có 1 cột, hàng đầu của bảng có 2 cột"
    ]


def test_a_template_cannot_load_libraries_or_include_other_templates(shipped: Path) -> None:
    [loaded] = templating.check_template(FORM, "{% load static %}\n# A")
    assert loaded.startswith("Dòng 1: lỗi cú pháp mẫu (")
    [included] = templating.check_template(FORM, '# A\n{% include "base.html" %}')
    assert included.startswith("Dòng 2: lỗi cú pháp mẫu") or "không điền được" in included


def test_an_empty_template_is_refused(shipped: Path) -> None:
    assert templating.check_template(FORM, " \n\n") == ["Mẫu không có nội dung."]


@pytest.mark.parametrize("tag", ["{% debug %}", "{% lorem 5000 w %}"])
def test_the_debug_and_lorem_tags_are_refused_in_a_template(shipped: Path, tag: str) -> None:
    [problem] = templating.check_template(FORM, f"# Tiêu đề\n{tag}\n")
    assert "Dòng 2" in problem


def test_a_template_failing_on_real_data_is_missing_data_not_a_server_error(
    shipped: Path, tree: dict[str, Organisation]
) -> None:
    from dangvien.documents.contexts import MissingData

    FormTemplate.objects.create(
        province=tree["province"],
        form=FORM.code,
        text="# Tiêu đề\n{% for a, b in rows %}{{ a }}{% endfor %}\n",
    )
    with pytest.raises(MissingData, match="Mẫu văn bản của tỉnh bị lỗi khi điền dữ liệu"):
        templating.render_text(FORM, {"rows": [(1, 2, 3)]}, tree["village"])


def test_dots_with_a_superscript_digit_is_a_problem_not_a_server_error(shipped: Path) -> None:
    for count in ("²", "１", "9" * 5000):
        problems = templating.check_template(FORM, f"# Tiêu đề\n@dots {count}\n")
        assert any("“@dots” cần số dòng" in p for p in problems)
