"""factory_boy factories: the smallest valid objects (STYLE.md). Trees are built through
the organisation action so paths are right."""

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar, cast

import factory
from django.db import connection, transaction

from dangvien.accounts.models import RoleAssignment, User
from dangvien.candidates.models import Candidate, Stage
from dangvien.members.models import (
    Exemption,
    ExemptionReason,
    Member,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.actions import create_organisation
from dangvien.organisations.models import Kind, Organisation
from dangvien.people.actions import derived_keys
from dangvien.people.models import Education, Person

_ids = itertools.count(100000000001)


def org(
    kind: str, parent: Organisation | None = None, name: str | None = None, **kw: Any
) -> Organisation:
    return create_organisation(
        name=name or f"{Kind(kind).label} {next(_ids) % 1000}",
        kind=kind,
        parent=parent,
        by=None,
        **kw,
    )


# Data migrations whose rows every test expects (the tree's parent rules, the exam topics,
# the personal-data notice).
SEEDS = (
    "dangvien.organisations.migrations.0002_seed_parent_rules",
    "dangvien.exams.migrations.0002_seed_topics",
    "dangvien.privacy.migrations.0002_default_notice",
)


def ensure_seeds(*, force: bool = False) -> None:
    """Put the seeded rows back when a transactional test's flush emptied them (the seed
    functions are idempotent: get_or_create)."""
    import importlib

    from django.apps import apps

    from dangvien.organisations.models import ParentRule

    if not force and ParentRule.objects.exists():
        return
    for name in SEEDS:
        importlib.import_module(name).seed(apps, None)


T = TypeVar("T")


def built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Data a whole test module shares, for a module-scoped fixture (``yield from``): built
    once inside a transaction that is rolled back when the module is done; each test then
    runs in a savepoint inside it, so what a test writes is undone at its end.

    The deferred constraint checks of what was built run here, once. Left pending, they
    would run again at the end of every test on PostgreSQL: Django's TestCase checks the
    constraints before rolling back its savepoint, and the rollback marks the checks fired
    inside the savepoint as pending again (0.1 s a test with the permission matrix's world).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeds()  # a transactional test may have run before in this process
        data = build()
        connection.check_constraints()
        yield data
        transaction.set_rollback(True)


def tree_2025() -> dict[str, Organisation]:
    """province → commune → branch (village), and commune → đảng bộ cơ sở → chi bộ."""
    province = org(Kind.PROVINCE, name="Tỉnh ủy Thử Nghiệm")
    commune = org(Kind.COMMUNE, province, name="Đảng bộ xã An Bình")
    village = org(Kind.BRANCH, commune, name="Chi bộ thôn Đông")
    school = org(
        Kind.GRASSROOTS_COMMITTEE, commune, name="Đảng bộ Trường THPT An Bình", committee_size=9
    )
    school_branch = org(Kind.BRANCH, school, name="Chi bộ Tổ Toán")
    clinic = org(Kind.GRASSROOTS_BRANCH, commune, name="Chi bộ Trạm Y tế")
    other_commune = org(Kind.COMMUNE, province, name="Đảng bộ xã Hòa Lạc")
    other_branch = org(Kind.BRANCH, other_commune, name="Chi bộ thôn Tây")
    return {
        "province": province,
        "commune": commune,
        "village": village,
        "school": school,
        "school_branch": school_branch,
        "clinic": clinic,
        "other_commune": other_commune,
        "other_branch": other_branch,
    }


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("mat-khau-thu-nghiem")


def user_with_role(role: str, organisation: Organisation, **kw: Any) -> User:
    user = make_user(**kw)
    RoleAssignment.objects.create(user=user, organisation=organisation, role=role)
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True  # the keys hook saves what it fills

    family_name = "Nguyễn"
    middle_name = "Văn"
    given_name = factory.Iterator(["Bình", "Cường", "Dũng", "Lan", "Minh", "Tùng", "Yến"])
    birth_date = date(1995, 5, 17)
    sex = "male"
    citizen_id = factory.LazyFunction(lambda: f"{next(_ids):012d}")
    education_level = Education.UPPER_SECONDARY

    @factory.post_generation
    def keys(obj: Person, create: bool, extracted: Any, **kwargs: Any) -> None:
        derived_keys(obj)
        if create:
            obj.save(update_fields=["search_text", "sort_key"])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    branch = None
    org_path = factory.LazyAttribute(lambda o: o.branch.path)
    status = Status.OFFICIAL
    admitted_on = date(2010, 3, 1)
    first_admitted_on = factory.LazyAttribute(lambda o: o.admitted_on)
    probation_started_on = date(2010, 3, 20)
    official_on = date(2011, 3, 20)

    @factory.post_generation
    def exempted_since(obj: Member, create: bool, extracted: date | None, **kw: Any) -> None:
        """``exempted_since=day``: an open exemption (ill health) from that day."""
        if create and extracted:
            Exemption.objects.create(
                member=obj, reason=ExemptionReason.ILL_HEALTH, from_on=extracted
            )

    @factory.post_generation
    def temporarily_away_since(
        obj: Member, create: bool, extracted: date | None, **kw: Any
    ) -> None:
        """``temporarily_away_since=day``: a temporary transfer out, received elsewhere."""
        if create and extracted:
            Transfer.objects.create(
                member=obj,
                kind=TransferKind.TEMPORARY,
                state=TransferState.RECEIVED,
                from_branch=obj.branch,
                to_name="Chi bộ nơi khác",
                letter_no=f"GT-{obj.pk}",
                issued_on=extracted,
                present_by=extracted,
                received_on=extracted,
                until_on=date(extracted.year + 1, extracted.month, 1),
            )


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    person = factory.SubFactory(PersonFactory)
    branch = None
    org_path = factory.LazyAttribute(lambda o: o.branch.path)
    stage = Stage.CANDIDATE


# Typed shortcuts: factory_boy's calls are untyped, these give tests the model types.
def make_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def make_member(**fields: Any) -> Member:
    return cast(Member, MemberFactory(**fields))


def start_transfer(
    member: Member, to: Organisation, kind: str, issued_on: date, **kw: Any
) -> Transfer:
    """An introduction letter issued through the action (letter number from the member;
    a permanent move's cause dated the day of issue)."""
    from dangvien.members.actions import transfers

    return transfers.start_transfer(
        member,
        kind=kind,
        to_organisation=to,
        letter_no=f"GT-{member.pk}",
        issued_on=issued_on,
        cause_on=issued_on if kind == TransferKind.PERMANENT else None,
        by=None,
        **kw,
    )


def make_candidate(**fields: Any) -> Candidate:
    return cast(Candidate, CandidateFactory(**fields))


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def in_own_thread(fn: Any) -> Any:
    """Run ``fn`` on a fresh thread, hence its own connection in autocommit: its writes
    are committed and visible to every other connection, unlike the test's own
    transaction. Its exception is raised again here; its result is returned."""
    import threading

    from django.db import connections

    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0] if result else None
