"""``org_path__startswith`` as an index range that row-level security lets through.

Under a row-level security policy PostgreSQL evaluates the policy before any condition of
the query that is not *leakproof* (a function that could reveal a row through an error
must not see rows the policy hides). ``LIKE`` is not leakproof, so with a policy in place
``org_path LIKE '00000001/00000042/%'`` can no longer drive the index: every scope filter
became a sequential scan of the whole table (measured in ``docs/row-level-security.md``:
a commune's members, 0.3 ms → 1.2 s on 5.4 million rows). The byte-wise comparisons
``~>=~`` and ``~<~`` are leakproof and use the same ``varchar_pattern_ops`` index that
Django creates for ``db_index`` character fields, so on the path columns of the protected
tables ``startswith`` with a literal prefix becomes

    org_path ~>=~ 'prefix' AND org_path ~<~ 'prefix with its last character + 1'

which selects exactly the strings that start with the prefix (byte order is code point
order in UTF-8). Anything else (an expression on the right, an empty prefix, a last
character that cannot be incremented) keeps Django's ``LIKE``.
"""

from typing import Any

from django.apps import apps
from django.db.models.lookups import StartsWith

from dangvien.rowsecurity.policies import PROTECTED

# The path columns of the protected tables that scope filters compare with a prefix.
PATH_COLUMNS = ("org_path", "to_path")


def successor(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix``, in code
    point order; None when there is none worth using."""
    if not prefix:
        return None
    point = ord(prefix[-1]) + 1
    if 0xD800 <= point <= 0xDFFF:  # surrogates are not characters
        point = 0xE000
    if point > 0x10FFFF:
        return None
    return prefix[:-1] + chr(point)


class PrefixRange(StartsWith):
    """``startswith`` as a leakproof range on PostgreSQL (see the module docstring)."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        prefix = self.rhs if self.rhs_is_direct_value() else None
        upper = successor(prefix) if isinstance(prefix, str) else None
        if upper is None:
            sql, params = self.as_sql(compiler, connection)
            return sql, list(params)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        sql = f"({lhs_sql} ~>=~ %s AND {lhs_sql} ~<~ %s)"
        return sql, [*lhs_params, prefix, *lhs_params, upper]


def register() -> None:
    """Use ``PrefixRange`` for ``startswith`` on the path columns of the protected tables
    (on those fields only: every other ``startswith`` stays as Django writes it)."""
    tables = {spec.table for spec in PROTECTED}
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for name in PATH_COLUMNS:
            for field in model._meta.concrete_fields:
                if field.name == name:
                    field.register_lookup(PrefixRange, "startswith")
