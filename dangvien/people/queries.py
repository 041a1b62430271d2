"""Reads about people: who a user may see and change (issue 6: the person edit page)."""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.organisations.queries import in_scope
from dangvien.people.models import Person

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def visible_people(user: "User") -> QuerySet[Person]:
    """People with a member record or a candidacy in the user's subtrees."""
    member = Person.objects.filter(in_scope(user, "member__org_path")).values("pk")
    candidate = Person.objects.filter(in_scope(user, "candidacies__org_path")).values("pk")
    return Person.objects.filter(Q(pk__in=member) | Q(pk__in=candidate))


def can_edit_people_at(user: "User", org_path: str) -> bool:
    """The chi bộ keeps its members' and candidates' records, and the grassroots staff
    above it (the ``branch_moves`` capability, as for listing a candidate)."""
    return can(user, Capability.BRANCH_MOVES, org_path)
