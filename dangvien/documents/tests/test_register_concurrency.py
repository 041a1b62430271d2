"""The register under concurrent requests (PostgreSQL row locks): never the same number
twice (issue 8: "a per-body register that never hands out the same number twice, even
under concurrent requests")."""

import importlib
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Stage
from dangvien.core.models import AuditEvent
from dangvien.documents.actions.register import number_document, take_number
from dangvien.documents.forms import find_form
from dangvien.documents.models import IssuedDocument, Register
from dangvien.factories import make_candidate, tree_2025, user_with_role
from dangvien.organisations.models import Organisation, ParentRule

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

THREADS, EACH = 8, 25
DAY = date(2026, 3, 10)


def _in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` on ``n`` threads released at once, each on its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=20)
            result = work(i)
        except Exception as error:  # reported by the test
            result = error
        finally:
            connections.close_all()  # this thread's connection only
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _setup() -> tuple[dict[str, Organisation], list[User]]:
    seed = importlib.import_module("dangvien.organisations.migrations.0002_seed_parent_rules")
    for parent_kind, child_kind in seed.RULES:
        ParentRule.objects.get_or_create(parent_kind=parent_kind, child_kind=child_kind)
    tree = tree_2025()
    users = [user_with_role(Role.BOARD_STAFF, tree["commune"]) for _ in range(THREADS)]
    return tree, users


def test_eight_threads_taking_25_numbers_each_get_200_distinct_consecutive_numbers() -> None:
    tree, users = _setup()
    commune = tree["commune"]

    def take_many(i: int) -> list[int]:
        return [
            take_number(commune, "QĐ", on=DAY, by=users[i], summary=f"Luồng {i} văn bản {n}").number
            for n in range(EACH)
        ]

    outcomes = _in_threads(THREADS, take_many)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    numbers = sorted(n for numbers in outcomes for n in numbers)
    assert numbers == list(range(1, THREADS * EACH + 1))
    assert Register.objects.get(organisation=commune, series="QĐ").last_number == THREADS * EACH
    assert IssuedDocument.objects.filter(register__organisation=commune).count() == 200
    assert AuditEvent.objects.exists()  # the takes were audited like any action


def test_first_uses_of_a_register_at_once_make_one_register() -> None:
    """Every thread finds no register and creates it: one insert wins, the others lock the
    winner's row and carry on."""
    tree, users = _setup()
    outcomes = _in_threads(
        THREADS,
        lambda i: take_number(tree["village"], "BC", on=DAY, by=users[i], summary=f"{i}").number,
    )
    assert sorted(outcomes) == list(range(1, THREADS + 1)), outcomes
    assert Register.objects.filter(organisation=tree["village"], series="BC").count() == 1


def test_the_same_document_numbered_at_once_gets_one_number() -> None:
    tree, users = _setup()
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    form = find_form("9-KNĐ")
    outcomes = _in_threads(
        THREADS,
        lambda i: number_document(form, candidate, on=DAY, by=users[i]).pk,  # type: ignore[arg-type]
    )
    assert len(set(outcomes)) == 1, outcomes
    assert IssuedDocument.objects.filter(candidate=candidate).count() == 1
    assert Register.objects.get(organisation=tree["commune"], series="QĐ").last_number == 1
