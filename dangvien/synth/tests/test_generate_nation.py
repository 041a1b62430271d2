"""A tiny nation (3 provinces, 5,000 members) generated into the test database, checked
for shape, consistency with the tree and the rules, and usability by the pages.

The nation is generated once for the module inside a transaction that is rolled back at
the end (each test runs in a savepoint within it), so nothing leaks into other tests.
"""

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test import Client
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.candidates.models import ACTIVE, Candidate, Stage, StageChange, Vote
from dangvien.core import calendar
from dangvien.core.models import AuditEvent
from dangvien.core.rules import rule
from dangvien.factories import built_once
from dangvien.members.actions.base import recognition_vote_due
from dangvien.members.models import ACTIVE_STATUSES, Member, Status, StatusChange
from dangvien.organisations.actions import create_organisation
from dangvien.organisations.models import MEMBER_HOLDING, Kind, Organisation, ParentRule, Village
from dangvien.people.actions import derived_keys
from dangvien.people.models import Person
from dangvien.reviews.models import MemberReview, ReviewPeriod
from dangvien.stats.models import PoolSurvey, StructureRollup, Target
from dangvien.synth.nation import NationRefused, Options, Summary, generate

PASSWORD = "mat-khau-tong-hop"
TOTP_KEY = "3132333435363738393031323334353637383930"
MEMBERS = 5_000

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generate_nation loads with PostgreSQL COPY"
)


def _catalogue() -> dict[str, Any]:
    """Indexes, constraints and enabled user triggers of the project's tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename NOT LIKE 'django_%'"
        )
        indexes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = 'public'"
        )
        constraints = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
        )
        triggers = cursor.fetchone()[0]
    return {"indexes": indexes, "constraints": constraints, "triggers": triggers}


@pytest.fixture(scope="module")
def nation(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Generate once, inside a transaction rolled back when the module is done."""
    if connection.vendor != "postgresql":
        pytest.skip("generate_nation loads with PostgreSQL COPY")
    users_file = tmp_path_factory.mktemp("nation") / "users.csv"

    def build() -> dict[str, Any]:
        before = _catalogue()
        lines: list[str] = []
        summary = generate(
            Options(
                members=MEMBERS,
                provinces=3,
                seed=7,
                password=PASSWORD,
                commune_users=2,
                users_file=str(users_file),
                totp_key=TOTP_KEY,
                jobs=2,
            ),
            out=lines.append,
        )
        return {"summary": summary, "before": before, "lines": lines, "users": users_file}

    yield from built_once(django_db_blocker, build)


pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db]


def active_members() -> Any:
    return Member.objects.filter(status__in=ACTIVE_STATUSES)


# -- shape --------------------------------------------------------------------------------


def test_the_nation_has_the_members_and_provinces_asked_for(nation: dict[str, Any]) -> None:
    assert active_members().count() == MEMBERS
    assert Organisation.objects.filter(kind=Kind.PROVINCE, parent=None).count() == 3
    assert Organisation.objects.filter(kind=Kind.COMMUNE).count() >= 3


def test_every_chi_bo_holds_3_to_60_active_members(nation: dict[str, Any]) -> None:
    sizes = (
        Organisation.objects.filter(kind__in=MEMBER_HOLDING)
        .annotate(n=Count("members", filter=Q(members__status__in=ACTIVE_STATUSES)))
        .values_list("kind", "n")
    )
    assert sizes
    for kind, n in sizes:
        assert 3 <= n <= (29 if kind == Kind.GRASSROOTS_BRANCH else 60)


def test_members_belong_only_to_chi_bo(nation: dict[str, Any]) -> None:
    kinds = set(Member.objects.values_list("branch__kind", flat=True).distinct())
    assert kinds <= set(MEMBER_HOLDING)


def test_every_stage_of_the_pipeline_is_present(nation: dict[str, Any]) -> None:
    present = set(Candidate.objects.values_list("stage", flat=True).distinct())
    assert present == set(Stage.values)


def test_members_have_ten_years_of_history(nation: dict[str, Any]) -> None:
    today = timezone.localdate()
    statuses = set(Member.objects.values_list("status", flat=True).distinct())
    assert {Status.PROBATIONARY, Status.OFFICIAL, Status.DECEASED, Status.REMOVED} <= statuses
    years = set(
        Member.objects.filter(probation_started_on__year__gte=today.year - 9)
        .values_list("probation_started_on__year", flat=True)
        .distinct()
    )
    assert years == set(range(today.year - 9, today.year + 1))
    assert StatusChange.objects.filter(what="transfer").exists()
    assert StatusChange.objects.filter(what="exemption").exists()


def test_every_member_s_last_status_row_gives_the_member_s_status(nation: dict[str, Any]) -> None:
    last: dict[int, str] = {}
    for member_id, to_status in (
        StatusChange.objects.filter(what="status")
        .order_by("member_id", "on", "at", "id")
        .values_list("member_id", "to_status")
    ):
        last[member_id] = to_status
    statuses = dict(Member.objects.values_list("id", "status"))
    assert last == statuses


def test_every_candidate_s_history_ends_at_its_stage(nation: dict[str, Any]) -> None:
    last: dict[int, str] = {}
    for candidate_id, to_stage in StageChange.objects.order_by(
        "candidate_id", "at", "id"
    ).values_list("candidate_id", "to_stage"):
        last[candidate_id] = to_stage
    assert last == dict(Candidate.objects.values_list("id", "stage"))


def test_admitted_candidates_are_the_members_they_became(nation: dict[str, Any]) -> None:
    became = Candidate.objects.filter(stage=Stage.MEMBER).select_related("member")
    assert became.exists()
    for candidate in became:
        assert candidate.member is not None
        assert candidate.member.person_id == candidate.person_id
        assert candidate.decided_on == candidate.member.admitted_on
        assert candidate.ceremony_on == candidate.member.probation_started_on


def test_probationary_members_are_helped_by_an_official_of_their_chi_bo(
    nation: dict[str, Any],
) -> None:
    from dangvien.members.models import Mentorship

    probationary = Member.objects.filter(status=Status.PROBATIONARY)
    helped = Mentorship.objects.filter(until_on=None).select_related("member", "mentor")
    assert helped.count() == probationary.count()
    for row in helped:
        assert row.mentor.branch_id == row.member.branch_id
        assert row.mentor.status == Status.OFFICIAL
        assert row.from_on == row.member.probation_started_on


def test_every_candidate_s_consent_is_recorded(nation: dict[str, Any]) -> None:
    from dangvien.privacy.models import Consent

    assert Consent.objects.count() == Candidate.objects.count()
    without = Candidate.objects.exclude(person__consents__org_path=F("org_path"))
    assert not without.exists()


def test_yearly_reviews_cover_the_last_two_years(nation: dict[str, Any]) -> None:
    year = timezone.localdate().year
    periods = ReviewPeriod.objects.values_list("year", flat=True)
    assert sorted(set(periods)) == [year - 2, year - 1]
    reviewed = MemberReview.objects.filter(period__year=year - 1).count()
    assert 0.8 * MEMBERS < reviewed <= MEMBERS


def test_targets_are_set_for_the_current_year(nation: dict[str, Any]) -> None:
    year = timezone.localdate().year
    assert Target.objects.filter(year=year, organisation__kind=Kind.PROVINCE).count() == 3
    assert Target.objects.filter(year=year, organisation__kind=Kind.COMMUNE).exists()
    assert not Target.objects.exclude(year=year).exists()
    assert all(t.revisions.count() == 1 for t in Target.objects.all())


# -- consistency with the tree and the rules ----------------------------------------------


def test_paths_follow_the_tree(nation: dict[str, Any]) -> None:
    nodes = {o.pk: o for o in Organisation.objects.all()}
    for org in nodes.values():
        own = f"{org.pk:08d}/"
        parent = nodes.get(org.parent_id) if org.parent_id else None
        assert org.path == (parent.path if parent else "") + own
        assert org.depth == (parent.depth + 1 if parent else 0)


def test_copied_paths_are_the_unit_s_path(nation: dict[str, Any]) -> None:
    assert not Member.objects.exclude(org_path=F("branch__path")).exists()
    assert not Candidate.objects.exclude(org_path=F("branch__path")).exists()
    assert not Village.objects.exclude(org_path=F("organisation__path")).exists()


def test_the_tree_keeps_the_parent_rules(nation: dict[str, Any]) -> None:
    allowed = set(ParentRule.objects.values_list("parent_kind", "child_kind"))
    pairs = set(
        Organisation.objects.values_list("parent__kind", "kind").distinct()
    )  # parent__kind is None at the top
    assert {(p or "", c) for p, c in pairs} <= allowed


def test_citizen_ids_decrypt_and_are_found_through_the_index(nation: dict[str, Any]) -> None:
    sample = list(Person.objects.order_by("?")[:20])
    for person in sample:
        assert len(person.citizen_id) == 12 and person.citizen_id.isdigit()
        assert Person.objects.get(citizen_id=person.citizen_id) == person
    with connection.cursor() as cursor:
        cursor.execute("SELECT citizen_id FROM people_person LIMIT 5")
        assert all(row[0].startswith("v1:") for row in cursor.fetchall())


def test_search_and_sort_keys_are_those_of_the_people_actions(nation: dict[str, Any]) -> None:
    for person in Person.objects.order_by("?")[:50]:
        stored = (person.search_text, person.sort_key)
        derived_keys(person)
        assert stored == (person.search_text, person.sort_key)


def test_every_member_carries_the_search_and_sort_keys_of_its_person(
    nation: dict[str, Any],
) -> None:
    """The copies the member lists read (``Member.search_text``, ``Member.sort_key``)."""
    same = Q(search_text=F("person__search_text"), sort_key=F("person__sort_key"))
    differ = Member.objects.exclude(same)
    assert Member.objects.exists() and not differ.exists()


def test_every_candidate_carries_the_sort_key_of_its_person(nation: dict[str, Any]) -> None:
    """The copy the candidate lists read (``Candidate.sort_key``)."""
    differ = Candidate.objects.exclude(sort_key=F("person__sort_key"))
    assert Candidate.objects.exists() and not differ.exists()


def test_deadlines_follow_the_working_calendar(nation: dict[str, Any]) -> None:
    proposed = Candidate.objects.filter(
        stage=Stage.BRANCH_PROPOSED, decision_extended=False
    ).order_by("?")[:10]
    assert proposed
    for candidate in proposed:
        vote = Vote.objects.get(candidate=candidate, body="branch")
        days = rule("deadline.decision_working_days", on=vote.held_on)
        assert candidate.decision_due_on == calendar.add_working_days(vote.held_on, days)
    for member in Member.objects.filter(status=Status.PROBATIONARY).order_by("?")[:10]:
        assert member.probation_started_on is not None
        assert member.recognition_vote_due_on == recognition_vote_due(
            member.probation_started_on, member.branch
        )


def test_dates_are_never_in_the_future(nation: dict[str, Any]) -> None:
    today = timezone.localdate()
    assert not Member.objects.filter(
        Q(probation_started_on__gt=today) | Q(official_on__gt=today) | Q(left_on__gt=today)
    ).exists()
    assert not StageChange.objects.filter(on__gt=today).exists()
    assert not Candidate.objects.filter(listed_on__gt=today).exists()


# -- the load leaves a normal database ----------------------------------------------------


def test_indexes_constraints_and_triggers_are_back(nation: dict[str, Any]) -> None:
    assert _catalogue() == nation["before"]


def test_every_foreign_key_of_the_generated_rows_points_at_a_row(nation: dict[str, Any]) -> None:
    """As a superuser the load skips the keys' checks (``copyio.Loader``): check them all."""
    loaded = [t.name for t in nation["summary"].tables] + ["stats_poolsurvey"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, "
            "f.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
            [loaded],
        )
        keys = cursor.fetchall()
        assert len(keys) > 40
        for table, column, target, target_column in keys:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" t LEFT JOIN "{target}" r '
                f'ON t."{column}" = r."{target_column}" '
                f'WHERE t."{column}" IS NOT NULL AND r."{target_column}" IS NULL'
            )
            assert cursor.fetchone()[0] == 0, f"{table}.{column}"


def test_new_rows_get_fresh_ids_and_are_audited(nation: dict[str, Any]) -> None:
    commune = Organisation.objects.filter(kind=Kind.COMMUNE).first()
    assert commune is not None
    before = AuditEvent.objects.filter(table="organisations_organisation").count()
    highest = Organisation.objects.order_by("-pk").values_list("pk", flat=True)[0]
    org = create_organisation(name="Chi bộ mới", kind=Kind.BRANCH, parent=commune, by=None)
    assert org.pk > highest
    assert AuditEvent.objects.filter(table="organisations_organisation").count() > before


def test_the_generated_history_is_not_in_the_audit_trail(nation: dict[str, Any]) -> None:
    assert not AuditEvent.objects.filter(table="members_member").exists()
    assert not AuditEvent.objects.filter(table="people_person").exists()


def test_pool_surveys_equal_a_brute_force_count(nation: dict[str, Any]) -> None:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    surveys = PoolSurvey.objects.filter(year=today.year, quarter=quarter).select_related(
        "organisation"
    )
    assert surveys.filter(organisation__kind=Kind.PROVINCE).count() == 3
    pool = Candidate.objects.filter(stage__in=ACTIVE, listed_on__lte=today)
    rng = random.Random(3)
    rows = list(surveys)
    for survey in [s for s in rows if s.organisation.parent_id is None] + rng.sample(rows, 30):
        expected = pool.filter(org_path__startswith=survey.org_path).count()
        assert survey.data["total"] == expected, survey.organisation.name


def test_the_admission_facts_count_what_the_sources_count(nation: dict[str, Any]) -> None:
    """Loaded with the triggers set aside, the facts are rebuilt at the end (stats.admission_facts):
    every year's counts per province, month and breakdown equal the live ones."""
    from datetime import date

    from dangvien.stats.models import AdmissionStale
    from dangvien.stats.queries import facts

    top = Organisation(name="Toàn quốc", path="", depth=-1)
    assert not AdmissionStale.objects.exists()
    this_year = timezone.localdate().year
    for year in (this_year - 9, this_year - 1, this_year):
        start, end = date(year, 1, 1), date(year, 12, 31)
        kept = facts.profile("", start, end, bucket=top, by_month=True)
        assert kept == facts.profile("", start, end, bucket=top, by_month=True, live=True)
        assert sum(item.total for item in kept.values()) > 0, year


def test_the_name_dictionary_holds_every_generated_name(nation: dict[str, Any]) -> None:
    """Loaded with the triggers set aside, the dictionary of names is filled at the end
    (people.names): a name search must find every generated member."""
    from dangvien.people.models import Person, SearchName

    held = set(Person.objects.exclude(search_text="").values_list("search_text", flat=True))
    assert held and set(SearchName.objects.values_list("name", flat=True)) == held


def test_the_structure_rollup_is_built_and_equals_the_live_count(nation: dict[str, Any]) -> None:
    from dangvien.stats.queries.structure import _structure, structure

    today = timezone.localdate()
    assert "structure rollup" in nation["summary"].steps
    for top in Organisation.objects.filter(parent__isnull=True):
        assert StructureRollup.objects.filter(top=top.path, subtree=True, day=today).exists()
        kept, live = structure(top, today), _structure(top, today)
        assert kept.figures.counts == live.figures.counts, top.name
        assert [c.counts for c in kept.children] == [c.counts for c in live.children]


def test_the_admission_facts_built_before_the_indexes_are_those_a_rebuild_writes(
    nation: dict[str, Any],
) -> None:
    """The generator builds the facts inside the load, before the indexes come back and
    with the facts' own set aside: the same rows ``rebuild_admissions`` writes afterwards."""
    from dangvien.stats.admission_facts import COLUMNS, rebuild_admissions
    from dangvien.stats.models import AdmissionFact

    built = sorted(AdmissionFact.objects.values_list(*COLUMNS))
    assert rebuild_admissions() == len(built) > 0
    assert sorted(AdmissionFact.objects.values_list(*COLUMNS)) == built


def test_the_structure_rollup_counted_in_one_pass_is_what_the_rebuild_top_by_top_writes(
    nation: dict[str, Any],
) -> None:
    from dangvien.stats import rollup

    def kept() -> list[tuple[Any, ...]]:
        return sorted(
            (r.top, r.slice_path, r.subtree, r.day, r.counts, r.names)
            for r in StructureRollup.objects.all()
        )

    built = kept()
    assert rollup.rebuild_all(timezone.localdate()) == 3
    assert kept() == built


def test_the_pool_surveys_are_those_the_survey_action_takes(nation: dict[str, Any]) -> None:
    """Written with COPY by the generator: taking the running quarter again with the action
    (``take_pool_survey``, which refreshes it) changes no figure, path or date."""
    from dangvien.stats.actions.surveys import take_pool_survey

    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1

    def kept() -> dict[int, tuple[Any, ...]]:
        rows = PoolSurvey.objects.filter(year=today.year, quarter=quarter)
        return {
            s.organisation_id: (s.org_path, s.taken_on, s.data, s.assessment, s.by_id) for s in rows
        }

    built = kept()
    assert len(built) == Organisation.objects.count()
    for top in Organisation.objects.filter(parent__isnull=True):
        taken = take_pool_survey(top, year=today.year, quarter=quarter, by=None)
        assert taken.created == 0
    assert kept() == built


def test_a_second_run_is_refused_on_a_database_with_data(nation: dict[str, Any]) -> None:
    with pytest.raises(NationRefused, match="đã có"):
        generate(Options(members=MEMBERS, provinces=3, password=PASSWORD))


# -- the pages work on it -----------------------------------------------------------------


def test_a_generated_user_logs_in_and_the_main_pages_answer(nation: dict[str, Any]) -> None:
    summary: Summary = nation["summary"]
    username = next(u for u, role, _p, _n in summary.users if role == Role.LEADER and ".x" in u)
    client = Client()
    response = client.post("/dang-nhap/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    # The second factor, with the code of the device every generated user has (--totp-key).
    from django_otp.oath import totp

    response = client.post("/xac-thuc/", {"code": f"{totp(bytes.fromhex(TOTP_KEY)):06d}"})
    assert response.status_code == 302
    for url in ("/", "/dang-vien/", "/quan-chung/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/thong-ke/", follow=True).status_code == 200
    scope = Organisation.objects.get(path=_scope_of(username))
    assert client.get(f"/thong-ke/{scope.pk}/co-cau/").status_code == 200
    member = active_members().filter(org_path__startswith=_scope_of(username)).first()
    assert member is not None
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 200


def _scope_of(username: str) -> str:
    from dangvien.accounts.models import RoleAssignment

    return RoleAssignment.objects.get(user__username=username).organisation.path


def test_the_users_file_lists_every_account(nation: dict[str, Any]) -> None:
    lines = Path(nation["users"]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "username,role,org_path,organisation"
    assert len(lines) - 1 == len(nation["summary"].users)


def test_every_generated_user_has_the_benchmark_s_totp_device_with_its_key_encrypted(
    nation: dict[str, Any],
) -> None:
    from django_otp.oath import totp

    from dangvien.accounts.models import AuthenticatorApp

    users = nation["summary"].users
    devices = AuthenticatorApp.objects.filter(user__username__in=[u for u, *_rest in users])
    assert devices.count() == len(users)
    device = devices.first()
    assert device is not None and device.confirmed
    assert device.verify_token(totp(bytes.fromhex(TOTP_KEY)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatorapp WHERE id = %s", [device.pk])
        column = cursor.fetchone()[0]
    assert column.startswith("v1:") and TOTP_KEY not in column


def test_progress_names_each_province(nation: dict[str, Any]) -> None:
    assert sum("đảng viên" in line for line in nation["lines"]) >= 3
