"""No template holds inline script or style: the Content-Security-Policy (settings.py,
"Content-Security-Policy and transport security") allows neither, so a browser would
refuse it silently. Behaviour goes in a static .js file (static/js/app.js: data-confirm,
data-check-all, data-print, data-autosubmit), looks in CSS classes (OWASP ASVS 5.0
V3.4.3). The scan fails naming each file and line."""

import re
from pathlib import Path

import pytest

import dangvien

ROOT = Path(dangvien.__file__).resolve().parent

# Django comments say nothing to the browser: blanked out (keeping the line count).
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
# JSON data blocks (json_script) are not run: the policy does not apply to them.
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
# An HTML start tag, quoted values and Django tags inside it taken whole (they may hold ">").
TAG = re.compile(
    r"""<[a-z][\w:.-]*(?:"[^"]*"|'[^']*'|\{\{.*?\}\}|\{%.*?%\}|\{(?![{%])|[^<>"'{])*>""",
    re.S | re.I,
)
# Looked for inside start tags only: prose may say "one=two".
ATTRIBUTES = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute: use a CSS class"),
    (
        re.compile(r"\son[a-z]+\s*=", re.I),
        "an inline event handler: use a data-* attribute and static/js/app.js",
    ),
    (re.compile(r"\s(data-)?hx-on[:\-]", re.I), "hx-on: htmx would need eval"),
    (re.compile(r"""hx-vals\s*=\s*["']\s*js:""", re.I), "hx-vals with js: needs eval"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def inline_code(text: str) -> list[tuple[int, str, str]]:
    """(line, problem, excerpt) for every inline script or style in a template's text."""
    text = COMMENTS.sub(_blank, text)
    found = []

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    def excerpt(start: int, end: int) -> str:
        return " ".join(text[start:end].split())[:120]

    for match in SCRIPT.finditer(text):
        attributes, body = match.group(1), match.group(2)
        if body.strip() and not DATA_BLOCK.search(attributes):
            found.append(
                (
                    line_of(match.start()),
                    "a <script> with a body: move it to a static .js file",
                    excerpt(match.start(), match.end()),
                )
            )
    for match in STYLE_ELEMENT.finditer(text):
        found.append(
            (
                line_of(match.start()),
                "a <style> element: move the rules to a static .css file",
                excerpt(match.start(), match.start() + 60),
            )
        )
    for tag in TAG.finditer(text):
        for pattern, problem in ATTRIBUTES:
            for match in pattern.finditer(tag.group(0)):
                start = tag.start() + match.start()
                found.append(
                    (line_of(start + 1), problem, excerpt(start, min(tag.end(), start + 100)))
                )
    return sorted(found)


def template_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.html")
        if "templates" in path.relative_to(ROOT).parts and ".venv" not in path.parts
    )


def test_the_scan_finds_templates_to_check():
    files = template_files()
    assert ROOT / "templates" / "base.html" in files
    assert ROOT / "templates" / "500.html" in files
    assert len(files) > 100


def test_no_template_holds_inline_script_style_or_event_handlers():
    problems = [
        f"{path.relative_to(ROOT.parent)}:{line}: {problem}\n    {snippet}"
        for path in template_files()
        for line, problem, snippet in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Inline code the Content-Security-Policy refuses:\n" + "\n".join(problems)


# Python code writes HTML too: form widgets' attrs, format_html snippets.
PY_ATTRIBUTE = re.compile(r"""["'](style|on[a-z]+)["']\s*:""")
PY_HTML = re.compile(r"""<[a-z][\w-]*\b[^<>\n]*\s(style|on[a-z]+)\s*=""", re.I)


def python_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    )


def inline_code_in_python(text: str) -> list[tuple[int, str]]:
    found = [
        (text.count("\n", 0, m.start()) + 1, f"a widget attribute {m.group(1)!r}: use a class")
        for m in PY_ATTRIBUTE.finditer(text)
    ]
    found += [
        (text.count("\n", 0, m.start()) + 1, f"HTML with a {m.group(1)} attribute")
        for m in PY_HTML.finditer(text)
    ]
    return sorted(found)


def test_no_python_code_writes_inline_style_or_event_handlers():
    problems = [
        f"{path.relative_to(ROOT.parent)}:{line}: {problem}"
        for path in python_files()
        for line, problem in inline_code_in_python(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "Inline code the Content-Security-Policy refuses:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        'ONE_LINE = forms.Textarea(attrs={"rows": 1, "style": "min-height:2.6rem"})',
        'widget.attrs.update({"onchange": "this.form.submit()"})',
        "format_html('<span style=\"color:{}\">{}</span>', colour, text)",
        'mark_safe("<button onclick=\\"go()\\">x</button>")',
    ],
)
def test_the_python_scan_names_widget_attributes_and_html_snippets(text):
    assert inline_code_in_python(text)


def test_the_python_scan_lets_other_styles_through():
    text = (
        'THIN = Side(style="thin")\npdf.line_of(title, style="B", size=14)\n'
        'def style(self, unit: "Node") -> "Style":\n'
    )
    assert inline_code_in_python(text) == []


@pytest.mark.parametrize(
    "text, problem",
    [
        ("<div>\n<script>alert(1)</script>", "a <script> with a body"),
        ('<script type="module">\n  go();\n</script>', "a <script> with a body"),
        ("<style>.a{color:red}</style>", "a <style> element"),
        ('<p style="margin:0">x</p>', "a style attribute"),
        ("<p\n   style='margin:0'>x</p>", "a style attribute"),
        ('<button onclick="go()">x</button>', "an inline event handler"),
        ('<form method="post"\n      onsubmit="return confirm(1)">', "an inline event handler"),
        ('<select name="y" onChange="this.form.submit()">', "an inline event handler"),
        ('<button hx-on:click="go()">x</button>', "hx-on"),
        ("<div hx-get=\"/x\" hx-vals='js:{a: 1}'>", "hx-vals with js:"),
        ('<a href="javascript:void(0)">x</a>', "a javascript: URL"),
    ],
)
def test_the_scan_names_each_kind_of_inline_code(text, problem):
    found = inline_code(text)
    assert [p for _, p, _ in found if p.startswith(problem)], found


def test_the_scan_names_the_line():
    text = "{% extends 'base.html' %}\n{% block content %}\n<p>a</p>\n<p style=\"x\">b</p>\n"
    assert [(line, problem) for line, problem, _ in inline_code(text)] == [
        (4, "a style attribute: use a CSS class")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "<script src=\"{% static 'js/app.js' %}\" defer></script>",
        '<script type="application/json" id="rules">{"a": 1}</script>',
        '<form method="post" action="/x" data-confirm="Xóa?">',
        '<input type="checkbox" data-check-all="#eligible input[name=pick]">',
        '<div hx-get="/x" hx-trigger="change from:select" hx-target="#results">',
        "<p>Đảng viên được chuyển sinh hoạt; one=two trong văn bản</p>",
        "{# <style> and onclick= in a comment say nothing #}",
        "{% comment %}\n<script>old()</script>\n{% endcomment %}",
    ],
)
def test_the_scan_lets_external_scripts_data_blocks_and_data_attributes_through(text):
    assert inline_code(text) == []
