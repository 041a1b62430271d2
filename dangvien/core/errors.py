"""Domain errors: a business rule said no. ``str(error)`` is shown to the user as is."""


class DomainError(Exception):
    """A business rule refused. The message is Vietnamese and safe to show.

    ``code`` is the machine-readable name used by the API (``API.md``: 409 codes).
    """

    code = "rule_refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotEligible(DomainError):
    code = "not_eligible"


class StageNotAllowed(DomainError):
    code = "stage_not_allowed"


class DeadlinePassed(DomainError):
    code = "deadline"


class VoteInvalid(DomainError):
    code = "vote_invalid"


class VoteFailed(DomainError):
    code = "vote_failed"


class Conflict(DomainError):
    code = "conflict"


class NotAllowed(DomainError):
    """The user sees the object but their role may not do this (API: 403)."""

    code = "forbidden"
