"""The database router (core/dbrouter.py): report reads on the replica, all else on the
primary.

The replica is a second alias that mirrors ``default`` (Django's TEST MIRROR: the same test
database through a second connection), so each connection's captured queries show which
alias a query went to. A connection sees only what another has committed, hence the
transactional tests.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.core.dbrouter import PRIMARY, REPLICA, ReportRouter, reporting
from dangvien.factories import make_member, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.organisations.queries import visible_organisations

# Tables a request may read on the primary during a report page: who the user is, the
# session, the second factor, the lockout.
# Read on the primary always: who may see what, and the queue of writes the admission
# facts have not taken in yet (stats.admission_facts: the replica's copy of it lags).
PRIMARY_TABLES = re.compile(
    r"^(accounts_|auth_|django_session|django_content_type|otp_|axes_|stats_admissionstale)"
)
BOTH = ["default", "replica"]


@pytest.fixture(scope="module")
def replica(django_db_setup: Any) -> Iterator[str]:
    """A ``replica`` alias for this module's tests: a test mirror of ``default`` (unless
    DATABASE_REPLICA_URL configured one, which is a mirror under test too).

    Module-scoped because the alias must exist before pytest-django checks the test's
    ``databases``."""
    if REPLICA in connections.settings:
        yield REPLICA
        return
    mirrored = dict(connections[PRIMARY].settings_dict)
    mirrored["TEST"] = {**mirrored["TEST"], "MIRROR": PRIMARY}
    connections.settings[REPLICA] = mirrored
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def without_replica() -> Iterator[None]:
    """No ``replica`` alias during the test, whatever else configured one."""
    saved = connections.settings.pop(REPLICA, None)
    yield
    if saved is not None:
        connections.settings[REPLICA] = saved


def tables(sql: str) -> set[str]:
    """The tables a statement names after FROM, JOIN, INTO or UPDATE."""
    return set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', sql))


def main_table(sql: str) -> str:
    """The table a SELECT reads from (joined tables aside: a role's organisation path is
    read with the role, on the primary)."""
    found = re.search(r'FROM\s+"(\w+)"', sql)
    return found.group(1) if found else ""


def is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


@pytest.fixture
def province(transactional_db: Any) -> Organisation:
    province = org(Kind.PROVINCE, name="Tỉnh ủy Thử Nghiệm")
    commune = org(Kind.COMMUNE, province, name="Đảng bộ xã An Bình")
    branch = org(Kind.BRANCH, commune, name="Chi bộ thôn Đông")
    make_member(branch=branch)
    return province


@pytest.fixture
def leader(province: Organisation) -> User:
    """A viewer of the province (no second factor needed for a read-only role)."""
    return user_with_role(Role.LEADER, province)


def test_without_a_replica_every_read_and_write_goes_to_the_primary(
    without_replica: None, province: Organisation
) -> None:
    router = ReportRouter()
    with reporting():
        assert router.db_for_read(Organisation) == PRIMARY
        assert router.db_for_write(Organisation) == PRIMARY
        assert Organisation.objects.filter(pk=province.pk).db == PRIMARY
    assert router.db_for_read(Organisation) == PRIMARY


def test_without_a_replica_a_report_page_reads_the_primary(
    without_replica: None, client: Client, leader: User, province: Organisation
) -> None:
    client.force_login(leader)
    with CaptureQueriesContext(connections[PRIMARY]) as primary:
        response = client.get(reverse("stats:dashboard", args=[province.pk]))
    assert response.status_code == 200
    assert any("organisations_organisation" in tables(q["sql"]) for q in primary)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_reporting_go_to_the_replica_and_outside_to_the_primary(
    replica: str, province: Organisation
) -> None:
    with reporting():
        assert Organisation.objects.all().db == REPLICA
        with reporting():  # nested: still the replica
            assert Organisation.objects.all().db == REPLICA
        assert Organisation.objects.all().db == REPLICA
    assert Organisation.objects.all().db == PRIMARY


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_replica_answers_report_reads_with_the_primarys_committed_rows(
    replica: str, province: Organisation
) -> None:
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        reporting(),
    ):
        names = list(Organisation.objects.order_by("path").values_list("name", flat=True))
    assert names[0] == "Tỉnh ủy Thử Nghiệm"
    assert len(on_replica) == 1
    assert len(on_primary) == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_who_may_see_what_is_read_on_the_primary_even_inside_reporting(
    replica: str, leader: User
) -> None:
    with reporting():
        assert User.objects.all().db == PRIMARY
        assert leader.roles.all().db == PRIMARY
        assert visible_organisations(leader).db == REPLICA


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_writes_never_go_to_the_replica(replica: str, province: Organisation) -> None:
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        reporting(),
    ):
        commune = org(Kind.COMMUNE, province, name="Đảng bộ phường Mới")  # an action
        commune.name = "Đảng bộ phường Mới Lập"
        commune.save()
        Organisation.objects.filter(pk=commune.pk).update(code="X1")
        Organisation.objects.filter(pk=commune.pk).delete()
    assert len(on_replica) == 0, "the action read and wrote on the primary only"
    writes = [q["sql"] for q in on_primary if not is_read(q["sql"])]
    assert any(sql.startswith("INSERT") for sql in writes)
    assert any(sql.startswith("UPDATE") for sql in writes)
    assert any(sql.startswith("DELETE") for sql in writes)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_inside_a_transaction_opened_in_a_report_reads_go_to_the_primary(
    replica: str, province: Organisation
) -> None:
    with reporting():
        assert Organisation.objects.all().db == REPLICA
        with transaction.atomic():
            assert Organisation.objects.all().db == PRIMARY
        assert Organisation.objects.all().db == REPLICA


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_transaction_open_before_the_report_began_does_not_keep_it_off_the_replica(
    replica: str, province: Organisation
) -> None:
    with transaction.atomic(), reporting():  # as with ATOMIC_REQUESTS
        assert Organisation.objects.all().db == REPLICA


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_after_a_write_the_rest_of_the_reporting_block_reads_the_primary(
    replica: str, province: Organisation
) -> None:
    with reporting():
        assert Organisation.objects.all().db == REPLICA
        org(Kind.COMMUNE, province, name="Đảng bộ phường Mới")
        assert Organisation.objects.all().db == PRIMARY
    with reporting():  # a new block starts on the replica again
        assert Organisation.objects.all().db == REPLICA


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_report_page_reads_its_figures_from_the_replica(
    replica: str, client: Client, leader: User, province: Organisation
) -> None:
    client.force_login(leader)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
    ):
        response = client.get(reverse("stats:dashboard", args=[province.pk]))
    assert response.status_code == 200
    assert "Tỉnh ủy Thử Nghiệm" in response.content.decode()
    read_on_replica = set().union(*(tables(q["sql"]) for q in on_replica))
    assert "organisations_organisation" in read_on_replica
    assert all(is_read(q["sql"]) for q in on_replica), "the replica only reads"
    read_on_primary = {main_table(q["sql"]) for q in on_primary if is_read(q["sql"])}
    assert {t for t in read_on_primary if t and not PRIMARY_TABLES.match(t)} == set()


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_pages_outside_reports_read_only_the_primary(
    replica: str, client: Client, leader: User, province: Organisation
) -> None:
    client.force_login(leader)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(reverse("members:list"))
    assert response.status_code == 200
    assert len(on_replica) == 0


def test_only_the_primary_is_migrated() -> None:
    router = ReportRouter()
    assert router.allow_migrate(PRIMARY, "members") is True
    assert router.allow_migrate(REPLICA, "members") is False


def test_a_row_read_on_the_replica_may_be_linked_to_a_row_of_the_primary() -> None:
    router = ReportRouter()
    on_replica, on_primary = Organisation(), Organisation()
    on_replica._state.db, on_primary._state.db = REPLICA, PRIMARY
    assert router.allow_relation(on_replica, on_primary) is True
