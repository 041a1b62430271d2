"""Data the documents tests and bench/dossier.py share."""

from datetime import date

from dangvien.candidates.models import Candidate, Vote


def branch_vote(candidate: Candidate, resolution_no: str = "05-NQ/CB") -> Vote:
    """The chi bộ's passed vote proposing ``candidate`` (3 of 3), as 6-KNĐ cites it."""
    return Vote.objects.create(
        candidate=candidate,
        body="branch",
        organisation=candidate.branch,
        held_on=date(2026, 4, 10),
        in_favour=3,
        against=0,
        denominator=3,
        rule=[1, 2, "more_than"],
        passed=True,
        resolution_no=resolution_no,
    )
