"""Who may see and set what in the statistics area.

Every node a user may see is in ``visible_organisations``; a node outside answers 404.
Targets are set by the committee above (seeds 001/003; DOMAIN.md §2 "Set yearly admission
targets: each committee for its subordinates"): a user with the ``targets`` capability at
a strict ancestor of the node. A tree's top node (a province) has no committee above it in
the system, so its own staff record the target the Centre gave it.
"""

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import _roles
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import units_managed_by, visible_organisations

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def visible_node(user: "User", pk: int) -> Organisation:
    """The node, or 404 when it is outside the user's subtree."""
    return get_object_or_404(visible_organisations(user), pk=pk)


def home_node(user: "User") -> Organisation | None:
    """The node a user's statistics open on: the first top node of their scope."""
    return units_managed_by(user).first()


def can_set_target(user: "User", org: Organisation) -> bool:
    """The ``targets`` capability at a strict ancestor of ``org``; at ``org`` itself only
    for a tree's top node."""
    from dangvien.accounts.models import ROLE_CAPABILITIES

    for role, path, _depth in _roles(user):
        if Capability.TARGETS not in ROLE_CAPABILITIES.get(role, set()):
            continue
        if org.path.startswith(path) and (path != org.path or org.parent_id is None):
            return True
    return False


def can_take_survey(user: "User", org: Organisation) -> bool:
    """The committee of the node or any node above it with the ``targets`` capability."""
    from dangvien.accounts.queries import can

    return can(user, Capability.TARGETS, org.path)
