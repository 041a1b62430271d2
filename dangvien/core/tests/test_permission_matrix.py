"""The permission matrix (issue 9): every URL of the URL conf, page and API alike, asked by
a user in the unit, one above, one outside and one with a lesser role, and anonymously.

The list of URLs is generated from the URL conf, so a new endpoint cannot escape it: a URL
whose parameters the matrix cannot fill fails the test until ``RESOLVERS`` (or, with a
reason, ``NOT_CHECKED``) says how. The unit is the demo commune of a small demo province.

What "no leak" means here:
- a URL naming a person-bearing object of the unit (candidate, member, person, dossier,
  scan, sitting, …) answers **404** to the user outside, for GET and POST alike;
- no answer to the user outside or to the anonymous user contains the name or citizen ID
  of anyone in the unit (names shared with people outside are not used as markers);
- no POST by the user outside, by the lesser role (view only) or by the anonymous user
  writes anything (the audit trigger rows are counted before and after);
- anonymous users are sent to the login page (pages) or get 401 (API);
- the matrix is not vacuous: the user in the unit gets something other than 404 for the
  GET of every person-bearing URL that has a GET; the user above never gets a 5xx.
"""

import io
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dangvien.accounts.actions import assign_role
from dangvien.accounts.models import AuthenticatorApp, Role, User
from dangvien.api.api import api
from dangvien.candidates.models import Candidate, Introducer
from dangvien.core.models import AuditEvent
from dangvien.documents.forms import FORMS
from dangvien.documents.models import Scan
from dangvien.exams.models import Answer, ExamRound, PaperItem, Question, Sitting
from dangvien.factories import built_once
from dangvien.imports.models import ImportJob
from dangvien.members.models import Meeting, Member
from dangvien.organisations.models import Kind, Organisation, Village
from dangvien.people.models import Person
from dangvien.privacy import actions as privacy_actions
from dangvien.privacy.models import Consent, RequestKind
from dangvien.reviews.models import MemberReview, ReviewPeriod
from dangvien.screening.models import ScreeningCase
from dangvien.stats.models import PoolSurvey
from dangvien.training.models import Certificate, Course, Enrolment, Session

PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its name, its template and the methods worth asking."""

    name: str
    template: str  # "quan-chung/<int:pk>/" or "api/v1/candidates/<int:candidate_id>"
    api: bool
    methods: tuple[str, ...]

    @property
    def params(self) -> list[str]:
        return [m["name"] or m["rname"] for m in PARAM.finditer(self.template)]

    def url(self, values: dict[str, Any]) -> str:
        def fill(match: re.Match[str]) -> str:
            return str(values[match["name"] or match["rname"]])

        text = PARAM.sub(fill, self.template)
        text = text.replace("^", "").replace("$", "").replace("\\.", ".")
        return "/" + text


def _api_methods() -> dict[str, tuple[str, ...]]:
    """Methods per API path, from the OpenAPI schema (paths as "candidates/{id}")."""
    schema = api.get_openapi_schema()
    methods: dict[str, tuple[str, ...]] = {}
    for path, operations in schema["paths"].items():
        key = re.sub(r"\{(\w+)\}", r"{}", path.removeprefix("/api/v1/").strip("/"))
        methods[key] = tuple(m.upper() for m in operations)
    return methods


def routes() -> list[Route]:
    """Every URL of the URL conf but the Django admin's (its own permission system)."""
    api_methods = _api_methods()
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                template = prefix + str(entry.pattern)
                if template.startswith("quan-tri/"):
                    continue
                name = namespace + (entry.name or template)
                if template.startswith("api/v1/"):
                    key = PARAM.sub("{}", template.removeprefix("api/v1/")).strip("/")
                    if key not in api_methods:  # the schema and the docs pages themselves
                        continue
                    found.append(Route(name, template, True, api_methods[key]))
                else:
                    found.append(Route(name, template, False, ("GET", "POST")))

    walk(get_resolver(), "", "")
    return found


ROUTES = routes()


# ---- the world ----------------------------------------------------------------------------


@dataclass
class World:
    commune: Organisation
    branch: Organisation
    inside: User  # the commune's staff
    above: User  # the province's board staff
    outside: User  # staff of another commune, same roles as `inside`
    lesser: User  # a view-only leader at the commune
    markers: list[str] = field(default_factory=list)  # names and citizen IDs of the unit
    objects: dict[str, Any] = field(default_factory=dict)

    def within(self, queryset: Any, column: str = "org_path") -> Any:
        return queryset.filter(**{f"{column}__startswith": self.commune.path})


def _first(queryset: Any, what: str) -> Any:
    row = queryset.order_by("pk").first()
    if row is None:
        raise LookupError(f"the demo commune has no {what}")
    return row


def _build_world() -> World:
    call_command("demo_data", "--members", "600", stdout=io.StringIO())
    inside = User.objects.get(username="demo.xa")
    above = User.objects.get(username="demo.tinh")
    commune = inside.roles.filter(role=Role.BOARD_STAFF).get().organisation
    other = Organisation.objects.filter(kind=Kind.COMMUNE).exclude(pk=commune.pk).order_by("pk")[0]
    outside = User.objects.create_user("matrix.outside", password="x-matrix-1234")
    lesser = User.objects.create_user("matrix.lesser", password="x-matrix-1234")
    for role in (Role.BOARD_STAFF, Role.GRASSROOTS_STAFF):
        assign_role(outside, organisation=other, role=role, by=None)
    assign_role(lesser, organisation=commune, role=Role.LEADER, by=None)
    candidate = _first(Candidate.objects.filter(org_path__startswith=commune.path), "candidate")
    branch = candidate.branch
    world = World(commune, branch, inside, above, outside, lesser)
    world.objects["candidate"] = candidate
    world.objects["member"] = _first(world.within(Member.objects), "member")
    # An import job and a scan of the unit (the demo has none).
    world.objects["job"] = ImportJob.objects.create(
        kind="members",
        organisation=branch,
        org_path=branch.path,
        file_name="dang-vien.csv",
        stored_name="matrix.csv",
        file_format="csv",
        sha256="0" * 64,
        created_by=inside,
    )
    world.objects["scan"] = Scan.objects.create(
        candidate=candidate,
        form=FORMS[0].code,
        original_name="ban-quet.pdf",
        stored_name="matrix.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    # Made here, not lazily: a row made inside one test is rolled back after it.
    world.objects["request"] = privacy_actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=timezone.localdate(), by=inside
    )
    world.objects["device"] = AuthenticatorApp.objects.create(user=inside, name="Điện thoại")
    # The scan's file, where the scan view reads it.
    folder = Path(tempfile.mkdtemp(prefix="matrix-uploads-"))
    settings.UPLOADS_DIR = folder
    (folder / "scans").mkdir()
    (folder / "scans" / "matrix.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    world.markers = _markers(commune)
    return world


def _markers(commune: Organisation) -> list[str]:
    """Full names and citizen IDs of people of the unit that no one outside shares."""
    inside_ids = set(
        Member.objects.filter(org_path__startswith=commune.path).values_list("person", flat=True)
    ) | set(
        Candidate.objects.filter(org_path__startswith=commune.path).values_list("person", flat=True)
    )
    names: dict[str, set[int]] = {}
    for person in Person.objects.all():
        names.setdefault(person.full_name, set()).add(person.pk)
    markers = []
    for person in Person.objects.filter(pk__in=inside_ids):
        if names[person.full_name] <= inside_ids:
            markers.append(person.full_name)
        markers.append(person.citizen_id)
    return markers


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    uploads = settings.UPLOADS_DIR
    yield from built_once(django_db_blocker, _build_world)
    settings.UPLOADS_DIR = uploads


# ---- filling the parameters ---------------------------------------------------------------

# pk by URL namespace (pages); API parameters are named after what they hold.
PK_BY_PREFIX: list[tuple[str, str]] = [
    ("candidates:", "candidate"),
    ("members:", "member"),
    ("people:", "person"),
    ("organisations:village-", "village"),
    ("organisations:", "organisation"),
    ("training:certificate", "certificate"),
    ("training:", "course"),
    ("exams:bank-", "question"),
    ("exams:", "round"),
    ("reviews:", "period"),
    ("screening:", "case"),
    ("imports:", "job"),
    ("documents:scan", "scan"),
    ("documents:", "dossier"),
    ("account-remove-device", "device"),
    ("privacy:consent", "consent"),
    ("privacy:request", "request"),
]

# Objects that carry personal data: a URL naming one of the unit's answers 404 outside.
PERSONAL = {
    "candidate",
    "member",
    "person",
    "introducer",
    "meeting",
    "enrolment",
    "certificate",
    "sitting",
    "answer",
    "case",
    "job",
    "scan",
    "review",
    "dossier",
    "device",
    "consent",
    "request",
}


def _object(world: World, kind: str) -> Any:
    if kind in world.objects:
        return world.objects[kind]
    c = world.commune.path
    finders: dict[str, Callable[[], Any]] = {
        "person": lambda: world.objects["candidate"].person,
        "village": lambda: _first(Village.objects.filter(org_path__startswith=c), "village"),
        "organisation": lambda: world.branch,
        "course": lambda: _first(Course.objects.filter(org_path__startswith=c), "course"),
        "certificate": lambda: _first(
            Certificate.objects.filter(org_path__startswith=c), "certificate"
        ),
        "question": lambda: _first(Question.objects.all(), "question"),
        "round": lambda: _first(ExamRound.objects.filter(org_path__startswith=c), "exam round"),
        "period": lambda: _first(ReviewPeriod.objects.all(), "review period"),
        "case": lambda: _first(ScreeningCase.objects.filter(org_path__startswith=c), "case"),
        "meeting": lambda: _first(Meeting.objects.filter(org_path__startswith=c), "meeting"),
        "introducer": lambda: _first(
            Introducer.objects.filter(candidate__org_path__startswith=c), "introducer"
        ),
        "review": lambda: _first(
            MemberReview.objects.filter(org_path__startswith=c), "member review"
        ),
        "survey": lambda: _first(PoolSurvey.objects.filter(org_path__startswith=c), "survey"),
        "consent": lambda: _first(Consent.objects.filter(org_path__startswith=c), "consent"),
    }
    world.objects[kind] = finders[kind]()
    return world.objects[kind]


def _round_with_sittings(world: World) -> ExamRound:
    sitting = _first(
        Sitting.objects.filter(org_path__startswith=world.commune.path), "exam sitting"
    )
    return sitting.round


@dataclass
class Filled:
    url: str
    personal: bool  # names an object of the unit that carries personal data
    phantom: str  # the same URL with the personal objects' ids replaced by unknown ids


def fill(route: Route, world: World) -> Filled:
    """Concrete values for the route's parameters, all inside the unit."""
    values: dict[str, Any] = {}
    personal = False
    params = route.params
    kind_of: dict[str, str] = {}
    for name in params:
        if name == "pk":
            kinds = [k for prefix, k in PK_BY_PREFIX if route.name.startswith(prefix)]
            if not kinds:
                raise LookupError(f"{route.name}: say in PK_BY_PREFIX what its pk is")
            kind_of[name] = kinds[0]
        else:
            kind_of[name] = name.removesuffix("_pk").removesuffix("_id")
    # The exam round carries its sittings, papers and answers: pick one that has them.
    if any(
        k in ("round", "sitting", "answer", "number", "version", "item") for k in kind_of.values()
    ):
        world.objects.setdefault("round", _round_with_sittings(world))
    phantom: dict[str, Any] = {}
    for name in params:
        kind = kind_of[name]
        values[name] = phantom[name] = _value(route, world, name, kind, values)
        if kind in PERSONAL:
            personal = True
            phantom[name] = 987654321
    return Filled(route.url(values), personal, route.url(phantom))


def _value(route: Route, world: World, name: str, kind: str, values: dict[str, Any]) -> Any:
    today = timezone.localdate()
    if kind == "dossier":
        return world.objects["candidate"].pk
    if name == "kind" and route.name.startswith("documents:"):
        return "quan-chung"
    if name == "kind" and route.name == "account-remove-device":
        return "app"
    if name in ("slug", "form"):
        return FORMS[0].slug
    if name == "move":
        return "ghi-nhan-don" if route.name.startswith("candidates:") else "chuyen-sinh-hoat"
    if name == "kind":
        return "members"
    if name == "fmt":
        return "json" if route.name.startswith("privacy:") else "xlsx"
    if name == "name":
        return "admission.min_age_months"
    if name == "year":
        return today.year
    if name == "quarter":
        return 1
    if kind in ("org", "branch", "organisation"):
        return world.branch.pk if kind == "branch" else world.commune.pk
    if kind == "session":
        course = _object(world, "course")
        return _first(Session.objects.filter(course=course), "course session").pk
    if kind == "enrolment":
        course = _object(world, "course")
        return _first(Enrolment.objects.filter(course=course), "enrolment").pk
    if kind == "sitting":
        return _first(Sitting.objects.filter(round=world.objects["round"]), "sitting").pk
    if kind == "answer":
        return _first(Answer.objects.filter(sitting__round=world.objects["round"]), "answer").pk
    if kind in ("number",):
        return 1
    if kind in ("version", "item"):
        item = _first(PaperItem.objects.filter(paper__round=world.objects["round"]), "paper item")
        return item.version_id if kind == "version" else item.pk
    if kind == "village":
        return _object(world, "village").pk
    return _object(world, kind).pk


# ---- asking ---------------------------------------------------------------------------


def ask(client: Client, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if method in ("PUT", "PATCH"):
        return client.generic(method, url, "{}", content_type="application/json")
    if url.startswith("/api/"):
        return client.post(url, "{}", content_type="application/json")
    return client.post(url, {})


def body_text(response: Any) -> str:
    kind = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        return ""
    if kind.startswith(("text/", "application/json")):
        return response.content.decode("utf-8", "replace")
    return ""


def leaked(world: World, response: Any) -> list[str]:
    text = body_text(response)
    return [m for m in world.markers if m and m in text]


# Routes the matrix does not ask, each with its reason.
NOT_CHECKED: dict[str, str] = {
    "logout": "ends the session of the asking client",
    "api-v1:revoke_token": "revokes the asking client's token",
}

# Account pages: a user's own data, written by any logged-in user (login time, devices).
OWN_ACCOUNT = re.compile(r"^(login|logout|api-v1:token)$|^accounts:|^account")


def _client(user: User | None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _writes() -> int:
    return AuditEvent.objects.count()


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_no_route_leaks_the_unit(route: Route, world: World, db: None) -> None:
    if route.name in NOT_CHECKED:
        pytest.skip(NOT_CHECKED[route.name])
    filled = fill(route, world)
    outside, lesser, anonymous, inside = (
        _client(world.outside),
        _client(world.lesser),
        _client(None),
        _client(world.inside),
    )
    problems: list[str] = []
    for method in route.methods:
        for who, client in (("outside", outside), ("anonymous", anonymous), ("lesser", lesser)):
            if method == "GET" and who == "lesser":
                continue  # a leader in the unit may read it
            before = _writes()
            response = ask(client, method, filled.url)
            wrote = _writes() - before
            status = response.status_code
            if status >= 500:
                problems.append(f"{who} {method} {filled.url}: {status}")
            if who != "lesser" and leaked(world, response):
                problems.append(f"{who} {method} {filled.url}: shows {leaked(world, response)[:3]}")
            if method != "GET" and wrote and not OWN_ACCOUNT.search(route.name):
                problems.append(f"{who} {method} {filled.url}: wrote {wrote} rows ({status})")
            if who == "outside" and filled.personal and status not in (404, 405):
                # A refusal that does not depend on the object (a body that fails
                # validation, a missing query parameter) tells nothing about it.
                unknown = ask(client, method, filled.phantom).status_code
                if status != unknown or status < 400:
                    problems.append(f"outside {method} {filled.url}: {status}, not 404")
            if who == "anonymous" and not OWN_ACCOUNT.search(route.name):
                # 403 to someone unknown tells nothing either (the passkey endpoints).
                expected = status in (401, 403) if route.api else status in (302, 403, 404, 405)
                if route.api is False and status == 302:
                    expected = "dang-nhap" in response["Location"]
                if not expected and not _public(route):
                    problems.append(f"anonymous {method} {filled.url}: {status}")
        if method == "GET" and filled.personal:
            status = ask(inside, "GET", filled.url).status_code
            if status == 404:
                problems.append(f"inside GET {filled.url}: 404 (the matrix asks the wrong object)")
            status = ask(_client(world.above), "GET", filled.url).status_code
            if status >= 500:
                problems.append(f"above GET {filled.url}: {status}")
    if problems:
        pytest.fail("\n".join(problems))


# Pages anyone may open: the login form, the exam sitting's code entry, the API docs.
PUBLIC = re.compile(r"^(login|sitting:|api-v1:token$|api-v1:sitting-start$)")


def _public(route: Route) -> bool:
    return bool(PUBLIC.search(route.name))


def test_the_matrix_covers_the_pages_and_the_api() -> None:
    api_routes = [r for r in ROUTES if r.api]
    pages = [r for r in ROUTES if not r.api]
    assert len(api_routes) > 130
    assert len(pages) > 120
    assert {"candidates:detail", "members:detail"} <= {r.name for r in pages}


def test_every_api_path_of_the_schema_is_in_the_matrix() -> None:
    schema_paths = {
        re.sub(r"\{\w+\}", "{}", p.removeprefix("/api/v1/").strip("/"))
        for p in api.get_openapi_schema()["paths"]
    }
    matrix_paths = {PARAM.sub("{}", r.template.removeprefix("api/v1/")).strip("/") for r in ROUTES}
    assert schema_paths - matrix_paths == set()
