"""Form templates: which text a form is rendered from, filling it in, and checking an
uploaded replacement (issue 8: "templates are files an administrator can replace per
province without code changes").

A template is Django template text rendered by a standalone engine: no autoescaping (the
output is markup, not HTML), no loaders (``{% include %}`` and ``{% extends %}`` find
nothing), only the default tags and filters and our ``vn`` filters, and contexts of plain
data, so an uploaded template cannot reach the database or a model method.
"""

import functools
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template import Context, Engine, Library, Template, TemplateSyntaxError, defaulttags

from dangvien.documents.forms import Form
from dangvien.documents.models import FormTemplate
from dangvien.documents.render.markup import COMMANDS, parse
from dangvien.organisations.models import SEGMENT, Organisation

if TYPE_CHECKING:
    from dangvien.accounts.models import User

FORMS_DIR = Path(__file__).resolve().parent / "forms"
MAX_TEMPLATE_BYTES = 200 * 1024


# Default tags a province's template may not use: {% debug %} prints the whole context
# and the loaded modules, {% lorem %} writes as many words as asked.
REMOVED_TAGS = frozenset({"debug", "lorem"})


def _trimmed_default_tags() -> Library:
    library = Library()
    library.tags = {
        name: tag for name, tag in defaulttags.register.tags.items() if name not in REMOVED_TAGS
    }
    library.filters = dict(defaulttags.register.filters)
    return library


_DEFAULT_TAGS = _trimmed_default_tags()


class _Engine(Engine):
    # Without django.template.loader_tags: a template names no other template.
    default_builtins = ["django.template.defaulttags", "django.template.defaultfilters"]

    def get_template_builtins(self, builtins: list[str]) -> list[Library]:
        return [
            _DEFAULT_TAGS if library is defaulttags.register else library
            for library in super().get_template_builtins(builtins)
        ]


def _engine(debug: bool) -> Engine:
    return _Engine(
        loaders=[],
        libraries={},
        builtins=["dangvien.core.templatetags.vn"],
        autoescape=False,
        debug=debug,
        string_if_invalid="",
    )


ENGINE = _engine(debug=False)
CHECKING_ENGINE = _engine(debug=True)  # keeps line numbers for syntax errors


@functools.lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    return ENGINE.from_string(text)


# ---- which text -----------------------------------------------------------------------


def province_of(org: Organisation) -> Organisation:
    """The root of ``org``'s tree (the province whose templates apply)."""
    if org.depth == 0:
        return org
    return Organisation.objects.get(path=org.path[:SEGMENT])


def default_path(form: Form) -> Path:
    return FORMS_DIR / f"{form.slug}.txt"


def has_default(form: Form) -> bool:
    return default_path(form).is_file()


@functools.lru_cache(maxsize=128)
def _read(path: Path, mtime: float) -> str:
    return unicodedata.normalize("NFC", path.read_text(encoding="utf-8-sig"))


def default_text(form: Form) -> str:
    """The template shipped with the app (``dangvien/documents/forms/<slug>.txt``)."""
    path = default_path(form)
    return _read(path, path.stat().st_mtime)


def province_template(form: Form, province: Organisation | None) -> FormTemplate | None:
    if province is None:
        return None
    return (
        FormTemplate.objects.select_related("by")
        .filter(province=province_of(province), form=form.code)
        .first()
    )


def template_text(form: Form, province: Organisation | None) -> str:
    """The province's template of ``form`` if it uploaded one, else the shipped file."""
    row = province_template(form, province)
    return row.text if row is not None else default_text(form)


def render_text(form: Form, context: dict[str, Any], province: Organisation | None = None) -> str:
    """The template filled with ``context``: markup text, ready for ``render.markup``.

    A province's template was checked with sample data when uploaded; real data may still
    break it (a filter given a value it cannot take): that is ``MissingData`` saying the
    template is at fault, so pages and the API answer 409, not a server error."""
    from dangvien.documents.contexts import MissingData

    text = template_text(form, province)
    try:  # compiling too: a template stored before a tag was withdrawn no longer compiles
        return str(_compiled(text).render(Context(context, autoescape=False)))
    except Exception as error:
        raise MissingData(
            f"Mẫu văn bản của tỉnh bị lỗi khi điền dữ liệu: {error}. Báo ban tổ chức của "
            "tỉnh sửa mẫu."
        ) from error


# ---- who may change them ---------------------------------------------------------------


def provinces_for(user: "User") -> list[Organisation]:
    """The trees whose templates the user sees: every root for a superuser, else the roots
    above the nodes of the user's roles."""
    from dangvien.organisations.queries import scope_paths

    roots = Organisation.objects.filter(depth=0).order_by("sort_key", "name")
    if user.is_superuser:
        return list(roots)
    return list(roots.filter(path__in={path[:SEGMENT] for path in scope_paths(user)}))


def can_manage_templates(user: "User", province: Organisation) -> bool:
    """A superuser, or the province's organisation board (BOARD_STAFF at the tree's root).

    Issue 8 [U]: templates are per province, so only the province may change them."""
    from dangvien.accounts.models import Role

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        province.depth == 0
        and user.roles.filter(active=True, role=Role.BOARD_STAFF, organisation=province).exists()
    )


def template_rows(province: Organisation) -> list[dict[str, Any]]:
    """Every form with the source of its template in ``province``: the province's own
    (who uploaded it, when, the note) or the default."""
    from dangvien.documents.forms import FORMS

    own = {
        row.form: row for row in FormTemplate.objects.filter(province=province).select_related("by")
    }
    return [
        {"form": form, "own": own.get(form.code), "has_default": has_default(form)}
        for form in FORMS
    ]


# ---- checking an uploaded template ------------------------------------------------------


def sample_for(form: Form) -> dict[str, Any]:
    """The form's sample context (realistic fake data with every key the form uses)."""
    from dangvien.documents.samples import sample_context

    return sample_context(form)


def _source_line(rendered: str, source_lines: list[str]) -> int | None:
    """The line of the template a rendered line comes from, when it can be told (the line
    holds no template tag, so it appears as is, once)."""
    wanted = rendered.strip()
    hits = [i for i, line in enumerate(source_lines, start=1) if line.strip() == wanted]
    return hits[0] if len(hits) == 1 else None


def check_template(form: Form, text: str) -> list[str]:
    """The problems of ``text`` as a template of ``form``, in Vietnamese with line
    numbers: template syntax errors, unknown ``@`` lines, tables with uneven rows, and
    whatever breaks when it is filled with the form's sample data
    (``dangvien.documents.samples.sample_context``). Empty: the template is usable."""
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        return ["Mẫu không có nội dung."]
    source_lines = text.splitlines()
    try:
        template = CHECKING_ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        return [_syntax_problem(error)]

    problems: list[str] = []
    unknown: set[str] = set()
    for number, line in enumerate(source_lines, start=1):
        stripped = line.strip()
        if stripped.startswith("@") and "{" not in stripped.split(" ", 1)[0]:
            command = stripped.split(" ", 1)[0]
            if command not in COMMANDS:
                unknown.add(f"“{command}”")
                problems.append(f"Dòng {number}: lệnh “{command}” không có trong mẫu")

    try:
        rendered = str(template.render(Context(sample_for(form), autoescape=False)))
    except Exception as error:  # a filter given data it cannot take, an include, …
        at = getattr(error, "template_debug", {}).get("line")
        where = f"Dòng {at}: " if at else ""
        return [*problems, f"{where}không điền được dữ liệu mẫu vào mẫu ({error})"]

    rendered_lines = rendered.splitlines()
    _blocks, found = parse(rendered, strict=False)
    for problem in found:
        head, _, rest = problem.partition(": ")
        if rest.startswith("lệnh ") and rest.split(" ")[1] in unknown:
            continue  # already reported at its template line
        rendered_number = int(head.removeprefix("Dòng "))
        source = _source_line(rendered_lines[rendered_number - 1], source_lines)
        if source is not None:
            message = f"Dòng {source}: {rest}"
        else:
            message = f"Dòng {rendered_number} của văn bản sau khi điền dữ liệu mẫu: {rest}"
        if message not in problems:
            problems.append(message)
    return problems


def _syntax_problem(error: TemplateSyntaxError) -> str:
    line = getattr(error, "template_debug", {}).get("line")
    where = f"Dòng {line}: " if line else ""
    return f"{where}lỗi cú pháp mẫu ({error})"
