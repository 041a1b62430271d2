"""Writes that cross subtrees on purpose, under the application's role (PostgreSQL).

Receiving a member from another commune marks the transfer received, then moves the
member: in between the member belongs to neither end's scope. The action runs inside
``unrestricted()`` (docs/row-level-security.md, "What the app must still do").
"""

from datetime import date

import pytest

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions.transfers import receive_transfer
from dangvien.members.models import Member, Transfer, TransferKind, TransferState
from dangvien.rowsecurity import scope
from dangvien.rowsecurity.tests import fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.as_owner]
as_app = fixtures.as_app


def test_a_destination_receives_a_member_from_another_commune(tree, as_app):
    member = make_member(branch=tree["other_branch"])
    transfer = Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        from_branch=tree["other_branch"],
        to_organisation=tree["village"],
        to_path=tree["village"].path,
        to_name=tree["village"].name,
        letter_no="GT-3",
        issued_on=date(2025, 3, 3),
        present_by=date(2025, 4, 14),
    )
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    with as_app(), scope.scoped(staff):
        arriving = Member.objects.get(pk=member.pk)  # seen: the transfer comes here
        with scope.unrestricted():
            receive_transfer(arriving, received_on=date(2025, 3, 20), by=staff)
        assert Member.objects.get(pk=member.pk).org_path == tree["village"].path
        assert Transfer.objects.get(pk=transfer.pk).state == TransferState.RECEIVED
    with as_app(), scope.with_scope(tree["other_commune"].path):
        assert not Member.objects.filter(pk=member.pk).exists()  # gone from the old end
