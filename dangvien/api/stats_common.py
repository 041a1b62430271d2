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
