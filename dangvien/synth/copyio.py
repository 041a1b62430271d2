"""Bulk loading with PostgreSQL COPY: row buffers per table, a writer thread, and the
indexes, constraints and triggers set aside around the load.

Why this shape (issue 9, "6M members in under 15 minutes on 2 cores"):

- ``COPY … FROM STDIN`` in text format is the fastest way in; the rows are pre-formatted
  strings, no model instances and no ORM per row.
- One thread generates rows (Python), another sends them (``copy.write`` waits on the
  socket without the GIL), so the generator and the server work at the same time on the
  two cores. Buffers are flushed at a fixed size, so memory stays bounded.
- Secondary indexes, unique and foreign-key constraints of the loaded tables are dropped
  before the load and recreated after it: one sort per index and one join per foreign key
  instead of a b-tree insert and a key lookup per row. Their definitions are read from the
  catalogue (``pg_get_indexdef`` / ``pg_get_constraintdef``), so whatever the migrations
  made is what comes back.
- The user triggers of the loaded tables (the audit triggers of ``core/audit.py``: the
  generated history is not an audit trail) are disabled during the load and enabled again.
- Everything runs in the caller's transaction: a failure leaves the database as it was,
  indexes and triggers included (DDL is transactional in PostgreSQL).
"""

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields import NOT_PROVIDED

from dangvien.organisations.actions import PATH_COPY_FIELDS

FLUSH_BYTES = 8 * 1024 * 1024  # a table's buffer is sent once it holds this much text
QUEUE_DEPTH = 6  # buffers waiting for the writer thread (bounds memory)

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class LoadError(Exception):
    """The load cannot go on (a column the generator does not know, a failed COPY)."""


def text(value: str) -> str:
    """A text value in COPY text format (backslash, tab and line breaks escaped). Most
    values have none of them: four scans are far cheaper than ``translate``."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def literal(value: Any) -> str:
    """Any Python value in COPY text format (``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, int | Decimal | float):
        return str(value)
    return text(str(value))


@dataclass
class Table:
    """Rows for one model's table: the columns the generator writes, in order, then the
    columns it leaves to the model's defaults (evaluated once).

    ``add`` only appends (tens of millions of calls): ``rows`` is counted when the buffer
    is taken, the buffer's size when ``full`` is asked (once per unit)."""

    model: type[models.Model]
    columns: list[str]
    name: str = ""
    rows: int = 0
    seconds_copying: float = 0.0
    seconds_indexing: float = 0.0
    has_id: bool = False
    max_id: int = 0
    _defaults: str = ""
    _copy_sql: str = ""
    _buffer: list[str] = field(default_factory=list)
    _size: int = 0  # text in the buffer, as of its first ``_measured`` lines
    _measured: int = 0

    def __post_init__(self) -> None:
        self.name = self.model._meta.db_table
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in fields]
        if unknown:
            raise LoadError(f"{self.name}: no column {', '.join(unknown)}")
        self.has_id = "id" in self.columns
        extra_columns, extra_values = [], []
        for column, f in fields.items():
            if column in self.columns or f.primary_key:
                continue
            if getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue  # the database fills it
            if column in PATH_COPY_FIELDS:  # a copy of a unit's path never has a default
                raise LoadError(
                    f"{self.name}.{column} copies a unit's path and the generator does not "
                    "fill it: teach dangvien/synth about the new column"
                )
            if f.has_default():
                extra_columns.append(column)
                extra_values.append(literal(f.get_default()))
            elif f.null:
                extra_columns.append(column)
                extra_values.append("\\N")
            elif f.blank and f.empty_strings_allowed:  # "" as Django saves a blank field
                extra_columns.append(column)
                extra_values.append("")
            else:
                raise LoadError(
                    f"{self.name}.{column} is required and the generator does not fill it: "
                    "teach dangvien/synth about the new column"
                )
        self._defaults = "".join("\t" + v for v in extra_values) + "\n"
        cols = ", ".join(f'"{c}"' for c in [*self.columns, *extra_columns])
        self._copy_sql = f'COPY "{self.name}" ({cols}) FROM STDIN'

    def add(self, values: list[str] | tuple[str, ...]) -> None:
        """One row: the generator's columns as COPY text, in ``columns`` order."""
        self._buffer.append("\t".join(values) + self._defaults)

    def add_joined(self, line: str) -> None:
        """One row whose columns the caller already joined with tabs (an f-string in a hot
        loop), as ``add`` would have joined them."""
        self._buffer.append(line + self._defaults)

    @property
    def pending(self) -> int:
        """Rows added and not taken yet."""
        return len(self._buffer)

    @property
    def full(self) -> bool:
        buffer = self._buffer
        if len(buffer) > self._measured:
            self._size += sum(map(len, buffer[self._measured :]))
            self._measured = len(buffer)
        return self._size >= FLUSH_BYTES

    def take(self) -> str:
        data = "".join(self._buffer)
        self.rows += len(self._buffer)
        self._buffer.clear()
        self._size = self._measured = 0
        return data


@dataclass
class SetAside:
    """What was taken off a table for the load, to be put back after it."""

    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX …)
    constraints: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)
    triggers: list[str] = field(default_factory=list)  # user triggers that were enabled
    seconds: float = 0.0  # putting it back


class Loader:
    """Sends table buffers through COPY on a writer thread; sets aside and restores the
    indexes, constraints and triggers of the tables it loads (and of ``also``: tables the
    caller fills with ordinary inserts in the same transaction).

    Foreign keys: as a superuser (``scripts/with-postgres``, a DBA's session) the loader
    disables all triggers of the loaded tables, the foreign keys' internal ones included,
    as ``pg_restore --disable-triggers`` does, and the keys stay in place unchecked for the
    generated rows (the tests check every key of a generated nation by brute force).
    Otherwise (the table owner) it drops the foreign keys and adds them back, which checks
    every row once.

    ``raw`` is the psycopg connection under Django's (``connection.connection``), inside
    the caller's transaction. While the writer runs, nobody else may use the connection.
    """

    def __init__(
        self,
        raw: Any,
        tables: list[Table],
        out: Callable[[str], None],
        also: tuple[str, ...] = (),
    ) -> None:
        self.raw = raw
        self.tables = {t.name: t for t in tables}
        self.also = also
        self.out = out
        self.superuser = False
        self.set_aside: dict[str, SetAside] = {}
        self._queue: queue.Queue[tuple[Table, str] | None] = queue.Queue(QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    # -- before ----------------------------------------------------------------------

    def prepare(self, maintenance_work_mem: str, *, superuser: bool | None = None) -> None:
        """Set aside indexes, constraints and triggers. ``superuser``: which way to treat
        foreign keys (default: as the session's role allows)."""
        with self.raw.cursor() as cur:
            cur.execute(
                "SELECT set_config('maintenance_work_mem', %s, true)", [maintenance_work_mem]
            )
            cur.execute("SET LOCAL synchronous_commit = off")
            if superuser is None:
                cur.execute("SELECT current_setting('is_superuser') = 'on'")
                superuser = bool(cur.fetchone()[0])
            self.superuser = superuser
            for name in [*self.tables, *self.also]:
                self.set_aside[name] = self._set_aside(cur, name)

    def _set_aside(self, cur: Any, table: str) -> SetAside:
        kept = SetAside()
        kinds = "('u', 'x')" if self.superuser else "('f', 'u', 'x')"
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            f"WHERE conrelid = %s::regclass AND contype IN {kinds} ORDER BY conname",
            [f'"{table}"'],
        )
        kept.constraints = list(cur.fetchall())
        cur.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid) ORDER BY c.relname",
            [f'"{table}"'],
        )
        kept.indexes = list(cur.fetchall())
        cur.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname",
            [f'"{table}"'],
        )
        kept.triggers = [row[0] for row in cur.fetchall()]
        for name, _definition in kept.constraints:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in kept.indexes:
            cur.execute(f'DROP INDEX "{name}"')
        if self.superuser:
            cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER ALL')
        else:
            for name in kept.triggers:
                cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
        return kept

    # -- during ----------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._write, name="synth-copy", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        try:
            with self.raw.cursor() as cur:
                while (item := self._queue.get()) is not None:
                    table, data = item
                    started = time.perf_counter()
                    with cur.copy(table._copy_sql) as copy:
                        copy.write(data)
                    table.seconds_copying += time.perf_counter() - started
        except BaseException as error:  # handed to the main thread
            self._error = error
            while self._queue.get() is not None:  # let the producer finish and see it
                pass

    def _check(self) -> None:
        if self._error is not None:
            raise LoadError(f"COPY failed: {self._error}") from self._error

    def send(self, table: Table) -> None:
        self._check()
        if table.pending:
            self._queue.put((table, table.take()))

    def send_data(self, name: str, data: str) -> None:
        """Rows of table ``name`` formatted elsewhere (a worker process)."""
        self._check()
        if data:
            self._queue.put((self.tables[name], data))

    def send_full(self) -> None:
        for table in self.tables.values():
            if table.full:
                self.send(table)

    def stop(self) -> None:
        """Send what is left and wait for the writer to finish."""
        for table in self.tables.values():
            self.send(table)
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join()
        self._check()

    # -- after -----------------------------------------------------------------------

    def restore(self) -> None:
        """Indexes and unique constraints first (the foreign keys' checks use them), then
        foreign keys, then triggers; sequences past the highest id written."""
        with self.raw.cursor() as cur:
            for name, kept in self.set_aside.items():
                started = time.perf_counter()
                for _index, definition in kept.indexes:
                    cur.execute(definition)
                for constraint, definition in kept.constraints:
                    if not definition.startswith("FOREIGN KEY"):
                        cur.execute(
                            f'ALTER TABLE "{name}" ADD CONSTRAINT "{constraint}" {definition}'
                        )
                kept.seconds += time.perf_counter() - started
            for name, kept in self.set_aside.items():
                started = time.perf_counter()
                for constraint, definition in kept.constraints:
                    if definition.startswith("FOREIGN KEY"):
                        cur.execute(
                            f'ALTER TABLE "{name}" ADD CONSTRAINT "{constraint}" {definition}'
                        )
                if self.superuser:
                    cur.execute(f'ALTER TABLE "{name}" ENABLE TRIGGER ALL')
                    cur.execute(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                        "AND NOT tgisinternal ORDER BY tgname",
                        [f'"{name}"'],
                    )
                    for (trigger,) in cur.fetchall():
                        if trigger not in kept.triggers:  # disabled before the load
                            cur.execute(f'ALTER TABLE "{name}" DISABLE TRIGGER "{trigger}"')
                else:
                    for trigger in kept.triggers:
                        cur.execute(f'ALTER TABLE "{name}" ENABLE TRIGGER "{trigger}"')
                kept.seconds += time.perf_counter() - started
                if name in self.tables:
                    self.tables[name].seconds_indexing = kept.seconds
            for name, table in self.tables.items():
                if table.has_id and table.max_id:
                    cur.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                        [f'"{name}"', table.max_id],
                    )
