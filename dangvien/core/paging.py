"""Pages of a long ordered list, read in two steps: the ids of the page, then its rows.

A list page of a province holds hundreds of thousands of rows. Read in one statement,
``ORDER BY … LIMIT 50 OFFSET n`` makes PostgreSQL join every row before the offset to the
person and the unit and run the list's per-row sub-queries on it, only to throw it away:
8.7 s for a middle page of the 376,000 members of the largest province of the 6-million
nation, 1.4 s for page 201 (issue 9, national scale; measured with
``members.queries.with_situation``). ``IdsFirst`` reads the ids of the page from the
ordered table alone, then the rows of those ids only, in the same order. A page past the
middle is read from the end, with the order reversed (a backward scan of the same
index), so the last page costs what the first one does.

Exactness: the rows and their order are those of ``rows[start:stop]``. The order must be
total (end in the primary key) for the reversed read to give the same rows; otherwise
the ids are always read forwards. A caller that already holds every id of the list in
its order (a name search: ``members.queries.find_members``) passes them as ``ids``: the
count and the page's ids are then read from that list, and only the page's rows from the
database.
"""

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import F, Lookup, Model, QuerySet
from django.db.models.sql.where import WhereNode

M = TypeVar("M", bound=Model)

_PRIMARY_KEY = {"pk", "-pk", "id", "-id"}


class IdsFirst(Generic[M]):
    """``rows`` for ``django.core.paginator.Paginator`` and API slices, read ids first.

    ``count()`` is read once and kept (the paginator asks for it, and the reversed read of
    a late page needs it). ``ids``, when given, must be every id of ``rows`` in its order
    (read with its filters and scope)."""

    def __init__(self, rows: QuerySet[M], ids: Sequence[Any] | None = None) -> None:
        self.rows = rows
        self.ids = ids
        self._count: int | None = None if ids is None else len(ids)
        order = rows.query.order_by
        self.total_order = bool(order) and str(order[-1]) in _PRIMARY_KEY

    @property
    def ordered(self) -> bool:  # the paginator warns about an unordered list
        return self.rows.ordered

    def count(self) -> int:
        if self._count is None:
            self._count = self.rows.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self.rows)

    def __getitem__(self, window: Any) -> list[M]:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("IdsFirst reads slices of consecutive rows only")
        start = window.start or 0
        stop = window.stop
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("negative indexing is not supported")
        ids = self._ids(start, stop)
        if not ids:
            return []
        found = {row.pk: row for row in self._rows_of(ids)}
        return [found[pk] for pk in ids if pk in found]

    def _rows_of(self, ids: list[Any]) -> QuerySet[M]:
        """The rows of these ids, with the list's columns, joins and annotations. Given
        ``ids`` (all of the list's, read with its filters), the filters are not applied
        again: one of them may be a list of ten thousand ids, which PostgreSQL would
        intersect with the page's 50 in its index scan (90 ms measured, against 5 ms)."""
        rows = self.rows.order_by()
        if self.ids is not None:
            rows = rows.all()
            rows.query.where = WhereNode()
        return rows.filter(AnyOf("pk", ids))

    def _ids(self, start: int, stop: int | None) -> list[Any]:
        if self.ids is not None:
            return list(self.ids[start:stop])
        keys = self.rows.values_list("pk", flat=True)
        if self.total_order:
            total = self.count()
            stop = total if stop is None else min(stop, total)
            if start >= stop:
                return []
            if start > total - stop:  # nearer the end: the same order, read backwards
                return list(keys.reverse()[total - stop : total - start])[::-1]
        return list(keys[start:stop])


class AnyOf(Lookup):
    """``column IN (ids)`` for a long list of ids: on PostgreSQL one array parameter,
    ``column = ANY(%s)``. Ten thousand ids written as ``IN (%s, …)`` cost about 100 ms a
    statement to send, parse and plan on the 6-million nation, one array about 45 ms
    (issue 9). Use it as a filter: ``rows.filter(AnyOf("pk", ids))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Sequence[Any]) -> None:
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, list(rhs))

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]
