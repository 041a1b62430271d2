"""Reads about people: who a user may see and change (issue 6: the person edit page), and
finding people by citizen ID through its keyed index (issue 9)."""

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.core.crypto import blind_index
from dangvien.core.text import fold
from dangvien.organisations.queries import in_scope
from dangvien.people.models import Person
from dangvien.people.names import matching_names

CITIZEN_ID_PURPOSE = "citizen_id"
_CITIZEN_ID = re.compile(r"[0-9]{12}")
CHUNK = 500

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


def citizen_id_index(value: str) -> str:
    """The blind index of a citizen ID (``Person.citizen_id_hmac``): a keyed HMAC, so the
    index alone does not give the 12 digits away (issue 9)."""
    return blind_index(value.strip(), purpose=CITIZEN_ID_PURPOSE)


def by_citizen_id(value: str) -> QuerySet[Person]:
    """The person with this citizen ID (none or one row), found through the unique index.
    Not scoped: callers that show the person check the scope themselves."""
    return Person.objects.filter(citizen_id_hmac=citizen_id_index(value))


def people_by_citizen_id(values: Iterable[str]) -> dict[str, Person]:
    """Known people by citizen ID, for a batch (an import file): one query per 500 IDs."""
    wanted = {citizen_id_index(value): value.strip() for value in values}
    hashes = list(wanted)
    found: dict[str, Person] = {}
    for start in range(0, len(hashes), CHUNK):
        for person in Person.objects.filter(citizen_id_hmac__in=hashes[start : start + CHUNK]):
            found[wanted[person.citizen_id_hmac]] = person
    return found


def is_citizen_id(text: str) -> bool:
    return bool(_CITIZEN_ID.fullmatch(text.strip()))


def search_filter(q: str, *, via: str = "person") -> Q:
    """The list-search condition for ``q`` on rows reaching a person through ``via`` (""
    for Person itself): a 12-digit query is a citizen ID, found exactly through its index;
    anything else is a name without diacritics ("nguyen van an" finds "Nguyễn Văn An")."""
    prefix = f"{via}__" if via else ""
    if is_citizen_id(q):
        return Q(**{f"{prefix}citizen_id_hmac": citizen_id_index(q)})
    return name_filter(fold(q), f"{prefix}search_text")


def name_filter(text: str, field: str) -> Q:
    """Rows whose folded name (``field``, a copy of ``Person.search_text``) contains the
    folded ``text``: by exact name among the names of the dictionary that contain it
    (``people.names``: an index probe per name, issue 9), or, when the text is too common
    for that, by ``LIKE`` over the rows. Both give the same rows."""
    names = matching_names(text)
    if names is None:
        return Q(**{f"{field}__contains": text})
    return Q(**{f"{field}__in": names})
