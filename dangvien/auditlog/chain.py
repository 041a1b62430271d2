"""The hash chains over the audit trail and the access log (issue 9: tamper-evident logs;
OWASP ASVS 5.0 V16.4.2; NIST SP 800-92 §4.2 on log integrity).

Each log is one chain. Row number ``seq`` holds ``hash = SHA-256(previous hash ‖
canonical JSON of the row)``, the previous hash of row 1 being 64 zeros (``GENESIS``), or,
after the retention purge, the hash of the last purged row (the chain's anchor).

Why a sealing step and not a hash computed on insert: the rows are written by database
triggers inside every transaction of the country; chaining them on insert would make
every writer wait for one lock. ``auditlog.actions.seal_logs`` chains the committed rows
not sealed yet, in id order, a minute or so later. The order of the chain is the order of
sealing: a transaction that commits late gets its rows into the next batch.

The canonical JSON of a row: its columns (``seq`` included, ``hash`` not), keys sorted,
no spaces, UTF-8, timestamps in UTC ISO 8601 with microseconds, JSON columns as read back
from the database (so PostgreSQL's jsonb and SQLite's text give the same hash for the
same content).
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dangvien.auditlog.models import AccessEvent, Chain, Log
from dangvien.core.models import AuditEvent

CHUNK = 5000


@dataclass(frozen=True)
class Spec:
    """One log: its model and the columns the hash covers (in the order read)."""

    log: str
    model: Any  # AuditEvent or AccessEvent
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


SPECS = {
    Log.AUDIT: Spec(
        Log.AUDIT,
        AuditEvent,
        ("id", "seq", "table", "row_id", "op", "before", "after", "actor_id", "at"),
    ),
    Log.ACCESS: Spec(
        Log.ACCESS,
        AccessEvent,
        (
            "id",
            "seq",
            "user_id",
            "at",
            "kind",
            "person_id",
            "org_path",
            "what",
            "path",
            "address",
            "rows",
        ),
    ),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def canonical(spec: Spec, values: dict[str, Any]) -> str:
    """The row as the hash sees it."""
    return json.dumps(
        {name: _plain(values[name]) for name in spec.columns},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def link(previous: str, spec: Spec, values: dict[str, Any]) -> str:
    return hashlib.sha256((previous + canonical(spec, values)).encode()).hexdigest()


def chain_state(log: str) -> Chain:
    return Chain.objects.filter(log=log).first() or Chain(log=log)


def sealed_rows(
    spec: Spec, after_seq: int, upto_seq: int | None = None
) -> Iterator[dict[str, Any]]:
    """The sealed rows after ``after_seq`` in chain order, read in chunks (bounded memory,
    keyset on the unique ``seq``), each with its stored ``hash``."""
    names = (*spec.columns, "hash")
    last = after_seq
    while True:
        rows = spec.model.objects.filter(seq__gt=last)
        if upto_seq is not None:
            rows = rows.filter(seq__lte=upto_seq)
        chunk = list(rows.order_by("seq").values_list(*names)[:CHUNK])
        for row in chunk:
            yield dict(zip(names, row, strict=True))
        if len(chunk) < CHUNK:
            return
        last = chunk[-1][names.index("seq")]


# ---- verification ----------------------------------------------------------------------


@dataclass
class Verdict:
    """The outcome of walking one chain: intact up to ``verified_seq``, or broken at
    ``broken_seq`` with a Vietnamese ``problem`` and ``details`` (what changed)."""

    log: str
    intact: bool
    verified_seq: int
    rows: int = 0
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)

    def describe(self) -> str:
        label = Log(self.log).label
        if self.intact:
            return (
                f"{label}: chuỗi băm toàn vẹn đến bản ghi #{self.verified_seq} "
                f"({self.rows} bản ghi đã kiểm tra)."
            )
        return "\n".join([f"{label}: {self.problem}", *(f"  - {d}" for d in self.details)])


def verify(log: str) -> Verdict:
    """Walk the chain of ``log`` from its anchor to its head and name the first broken link:
    a row changed after sealing, rows deleted (a gap in ``seq``, or missing at the end),
    or rows added that the head does not know of."""
    spec = SPECS[Log(log)]
    state = chain_state(log)
    previous_seq, previous_hash = state.anchor_seq, state.anchor_hash
    rows = 0
    walk = sealed_rows(spec, state.anchor_seq)
    for values in walk:
        seq = values["seq"]
        if seq != previous_seq + 1:
            return Verdict(
                log,
                False,
                previous_seq,
                rows,
                broken_seq=previous_seq + 1,
                problem=_missing(previous_seq + 1, seq - 1),
                details=["Các bản ghi này không còn trong cơ sở dữ liệu (đã bị xóa)."],
            )
        expected = link(previous_hash, spec, values)
        if expected != values["hash"]:
            following = next(walk, None)
            return Verdict(
                log,
                False,
                previous_seq,
                rows,
                broken_seq=seq,
                broken_id=values["id"],
                problem=f"Chuỗi băm bị đứt tại bản ghi #{seq} (mã {values['id']}).",
                details=_what_changed(spec, values, following),
            )
        previous_seq, previous_hash = seq, values["hash"]
        rows += 1
    if previous_seq < state.head_seq:
        return Verdict(
            log,
            False,
            previous_seq,
            rows,
            broken_seq=previous_seq + 1,
            problem=_missing(previous_seq + 1, state.head_seq),
            details=["Các bản ghi cuối chuỗi không còn trong cơ sở dữ liệu (đã bị xóa)."],
        )
    if previous_seq > state.head_seq or previous_hash != state.head_hash:
        return Verdict(
            log,
            False,
            state.head_seq,
            rows,
            broken_seq=state.head_seq,
            problem=f"Đầu chuỗi không khớp: đã niêm phong đến bản ghi #{state.head_seq} "
            f"nhưng trong bảng có đến bản ghi #{previous_seq} với mã băm khác.",
        )
    return Verdict(log, True, previous_seq, rows)


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"Chuỗi băm bị đứt: thiếu bản ghi #{first}."
    return f"Chuỗi băm bị đứt: thiếu các bản ghi #{first} đến #{last}."


def _what_changed(
    spec: Spec, values: dict[str, Any], following: dict[str, Any] | None
) -> list[str]:
    """What can be said about a row whose hash no longer matches its content."""
    details = []
    if following is not None and following["seq"] == values["seq"] + 1:
        if link(values["hash"], spec, following) == following["hash"]:
            details.append(
                "Nội dung bản ghi đã bị sửa sau khi niêm phong (mã băm lưu của nó vẫn khớp "
                "với bản ghi kế tiếp)."
            )
        else:
            details.append(
                "Mã băm lưu của bản ghi này cũng không khớp với bản ghi kế tiếp: bản ghi "
                "hoặc mã băm của nó đã bị sửa."
            )
    else:
        details.append("Nội dung bản ghi hoặc mã băm của nó đã bị sửa sau khi niêm phong.")
    if spec.log == Log.AUDIT:
        details += _audit_neighbours(values)
    return details


def _audit_neighbours(values: dict[str, Any]) -> list[str]:
    """For a change of the audit trail: the row's state before an event is the state after
    the event before it on the same row, and the other way round; fields that disagree
    with those neighbours are the likely edit."""
    same_row = AuditEvent.objects.filter(table=values["table"], row_id=values["row_id"])
    earlier = same_row.filter(id__lt=values["id"]).order_by("-id").values("after").first()
    later = same_row.filter(id__gt=values["id"]).order_by("id").values("before").first()
    found = []
    for mine, theirs, where in (
        (values["before"], earlier and earlier["after"], "bản ghi trước của cùng dòng"),
        (values["after"], later and later["before"], "bản ghi sau của cùng dòng"),
    ):
        if not isinstance(mine, dict) or not isinstance(theirs, dict):
            continue
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                found.append(
                    f"Trường “{key}”: bản ghi ghi {_short(mine.get(key))}, {where} ghi "
                    f"{_short(theirs.get(key))}."
                )
    return found


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"
