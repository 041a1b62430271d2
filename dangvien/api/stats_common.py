"""What the statistics endpoints share (issue 6): the node a request asks about."""

from typing import TYPE_CHECKING

from dangvien.api.errors import ApiError
from dangvien.organisations.models import Organisation
from dangvien.stats.queries.access import home_node, visible_node

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def requested_node(user: "User", pk: int | None) -> Organisation:
    """The ``organisation`` a statistics request names, or the top node of the user's scope
    when it names none; 404 outside the user's subtree or without any scope."""
    if pk is not None:
        return visible_node(user, pk)
    top = home_node(user)
    if top is None:
        raise ApiError(404)
    return top


def national_tops(user: "User") -> tuple[list[Organisation], str]:
    """The top nodes of the user's scope and the name of them together, for the national
    endpoints (as ``/thong-ke/toan-quoc/``): "Toàn quốc" when they are every province,
    "Các đơn vị được phân công" otherwise; 404 without any scope."""
    from dangvien.organisations.queries import units_managed_by
    from dangvien.stats.queries.achievement import NATION_NAME

    tops = list(units_managed_by(user))
    if not tops:
        raise ApiError(404)
    whole = len(tops) == Organisation.objects.filter(parent__isnull=True).count()
    return tops, NATION_NAME if whole else "Các đơn vị được phân công"
