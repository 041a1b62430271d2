"""Every write to the logs' hash chains: sealing, recording a verification, the retention
purge (issue 9). The rows themselves are written by the audit triggers and ``log_access``;
nothing else may change them (``core/audit.py``: guard triggers)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from dangvien.auditlog.chain import SPECS, Spec, Verdict, link, sealed_rows, verify
from dangvien.auditlog.models import Chain, Log
from dangvien.core.audit import maintenance

logger = logging.getLogger(__name__)

PURGE_BATCH = 5000


def _locked_chain(log: str) -> Chain:
    """The chain's state row, locked until the end of the transaction: one sealer or purger
    per log at a time (a second one waits, then sees the rows the first one sealed)."""
    Chain.objects.get_or_create(log=log)
    return Chain.objects.select_for_update().get(log=log)


def _seal_batch(spec: Spec, size: int) -> int:
    with maintenance("seal"):
        state = _locked_chain(spec.log)
        unsealed = spec.model.objects.filter(seq__isnull=True).order_by("id")
        rows = list(unsealed.values_list(*spec.columns)[:size])
        if not rows:
            return 0
        seq, previous = state.head_seq, state.head_hash
        updates = []
        for row in rows:
            values = dict(zip(spec.columns, row, strict=True))
            seq += 1
            values["seq"] = seq
            previous = link(previous, spec, values)
            updates.append((seq, previous, values["id"]))
        _write_links(spec, updates)
        state.head_seq, state.head_hash, state.sealed_at = seq, previous, timezone.now()
        state.save(update_fields=["head_seq", "head_hash", "sealed_at"])
        return len(rows)


def _write_links(spec: Spec, updates: list[tuple[int, str, int]]) -> None:
    """Store (seq, hash) on each row id. PostgreSQL: one statement per batch (one round
    trip per row was three quarters of the sealing time)."""
    conn = connections["default"]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            seqs, hashes, ids = (list(column) for column in zip(*updates, strict=True))
            cursor.execute(
                f'UPDATE "{spec.table}" AS t SET seq = v.seq, hash = v.hash '
                "FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS v(seq, hash, id) "
                "WHERE t.id = v.id AND t.seq IS NULL",
                [seqs, hashes, ids],
            )
        else:
            cursor.executemany(
                f'UPDATE "{spec.table}" SET seq = %s, hash = %s WHERE id = %s AND seq IS NULL',
                updates,
            )


def seal_logs(*, batch: int | None = None) -> dict[str, int]:
    """Chain every committed row not sealed yet, oldest id first, in batches of ``batch``
    rows (one transaction each). Answers how many rows of each log were sealed.

    Run every minute by the deployment (``manage.py seal_audit``) and before any
    verification or purge. Idempotent; safe to run twice at once.
    """
    size = batch or settings.AUDIT_SEAL_BATCH
    sealed = {}
    for log, spec in SPECS.items():
        total = 0
        while True:
            done = _seal_batch(spec, size)
            total += done
            if done < size:
                break
        sealed[str(log)] = total
        if total:
            # A copy of the head outside the database (the log files, shipped off the
            # server) is what makes cutting the tail together with the head detectable.
            head = Chain.objects.get(log=log)
            logger.info(
                "sealed %s rows of the %s log: head #%s %s",
                total,
                log,
                head.head_seq,
                head.head_hash,
            )
    return sealed


def verify_logs(*, seal: bool = True) -> list[Verdict]:
    """Walk both chains from anchor to head (sealing the new rows first) and record the
    outcome on each chain's state, for the auditor's pages. A broken chain is also logged
    as an error."""
    if seal:
        seal_logs()
    verdicts = []
    for log in SPECS:
        verdict = verify(log)
        Chain.objects.get_or_create(log=log)
        Chain.objects.filter(log=log).update(
            verified_at=timezone.now(),
            verified_seq=verdict.verified_seq,
            intact=verdict.intact,
            broken_seq=verdict.broken_seq,
            problem="" if verdict.intact else "\n".join([verdict.problem, *verdict.details]),
        )
        if not verdict.intact:
            logger.error("audit chain broken: %s", verdict.describe())
        verdicts.append(verdict)
    return verdicts


@dataclass(frozen=True)
class Purge:
    log: str
    cutoff: datetime
    rows: int
    anchor_seq: int
    refused: str = ""


def retention_days(log: str) -> int:
    """How long ``log`` is kept (settings ``AUDIT_RETENTION_DAYS`` /
    ``ACCESS_LOG_RETENTION_DAYS``; basis and [U] there)."""
    if log == Log.AUDIT:
        return int(settings.AUDIT_RETENTION_DAYS)
    return int(settings.ACCESS_LOG_RETENTION_DAYS)


def purge_logs(*, now: datetime | None = None, dry_run: bool = False) -> list[Purge]:
    """Delete the sealed rows older than the retention period, oldest first, keeping the
    hash of the last deleted row as the chain's anchor so the rest still verifies.

    Rows go in chain order up to the first one still within the period (a row sealed late
    keeps the older ones after it). The part to delete is verified as it is walked: a
    broken link stops the purge before anything is deleted, so no evidence is destroyed.
    """
    now = now or timezone.now()
    seal_logs()
    outcome = []
    for log, spec in SPECS.items():
        cutoff = now - timedelta(days=retention_days(log))
        outcome.append(_purge(spec, cutoff, dry_run=dry_run))
    return outcome


def _purge(spec: Spec, cutoff: datetime, *, dry_run: bool) -> Purge:
    state = Chain.objects.get_or_create(log=spec.log)[0]
    previous_seq, previous_hash = state.anchor_seq, state.anchor_hash
    for values in sealed_rows(spec, state.anchor_seq, state.head_seq):
        if values["at"] >= cutoff:
            break
        if values["seq"] != previous_seq + 1 or link(previous_hash, spec, values) != values["hash"]:
            return Purge(
                spec.log,
                cutoff,
                0,
                state.anchor_seq,
                refused=f"Chuỗi băm bị đứt gần bản ghi #{previous_seq + 1}: không xóa gì. "
                "Chạy manage.py verify_audit để xem chi tiết.",
            )
        previous_seq, previous_hash = values["seq"], values["hash"]
    rows = previous_seq - state.anchor_seq
    if dry_run or rows == 0:
        return Purge(spec.log, cutoff, rows, previous_seq if not dry_run else state.anchor_seq)
    start = state.anchor_seq
    while start < previous_seq:
        upto = min(start + PURGE_BATCH, previous_seq)
        with maintenance("purge"):
            locked = _locked_chain(spec.log)
            anchor_hash = (
                previous_hash
                if upto == previous_seq
                else spec.model.objects.values_list("hash", flat=True).get(seq=upto)
            )
            spec.model.objects.filter(seq__gt=start, seq__lte=upto).delete()
            locked.anchor_seq, locked.anchor_hash, locked.purged_at = (
                upto,
                anchor_hash,
                timezone.now(),
            )
            locked.save(update_fields=["anchor_seq", "anchor_hash", "purged_at"])
        start = upto
    logger.info("purged %s rows of the %s log, anchor #%s", rows, spec.log, previous_seq)
    return Purge(spec.log, cutoff, rows, previous_seq)
