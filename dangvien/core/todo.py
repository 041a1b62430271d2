"""A row of the home page's to-do list ("Việc cần làm"), shared by the areas' task lists."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Task:
    what: str  # the task, as a link text
    url_name: str  # the page that does it, reversed with ``pk``
    pk: int
    title: str  # what it is about (a round, a course, an organisation)
    on: date | None  # its day or deadline
    overdue: bool = False
    query: str = ""  # appended to the page's URL after "?"
