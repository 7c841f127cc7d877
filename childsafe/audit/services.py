"""Writing, linking and verifying the audit trail.

Call ``audit_record`` inside the transaction that makes the change it records,
so the change and its audit event commit or roll back together.

Linking. Each event's ``hash`` covers its content and the previous event's hash, and
``seq`` numbers the chain without gaps; the one ``AuditChainHead`` row, locked with
``SELECT ... FOR UPDATE``, keeps the chain from forking. By default ``audit_record``
links the event there and then, so the lock is held until the caller's transaction
commits. That serialises every audited change, which staff actions can afford and
report intake cannot: with ``link_later=True`` (``report_submit`` only) the event is
inserted unlinked (no ``seq``, empty hashes, no lock), and ``audit_link_pending`` links
committed unlinked events in the order it finds them, filling in those three fields
once. ``childsafe audit link`` runs it, and so does every linked ``audit_record`` before
appending its own event: the worker's triage of each new report does, so with the worker
running an event waits seconds.

The trade-off: an event not linked yet is stored in the same transaction as its
report, but the chain does not protect it yet: until linked, it could be changed or
deleted without ``audit verify`` noticing. ``audit_verify`` therefore reports unlinked
events older than ``UNLINKED_GRACE`` as a problem (the linker is not running), and the
command names the recent ones it could not check. Chain order is link order, which
may differ a little from the order of ``at``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from childsafe.audit.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
# Events one linking transaction links at most.
LINK_BATCH = 500
# Unlinked events older than this mean the linker is not running: ``audit_verify`` says so.
UNLINKED_GRACE = dt.timedelta(minutes=10)


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_org_id": event.actor_org_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    link_later: bool = False,
) -> AuditEvent:
    """Append one event. ``detail`` must never hold personal data.

    With ``link_later`` the event is inserted unlinked, without taking the chain's lock,
    and ``audit_link_pending`` links it after the caller's transaction commits (see the
    module's docstring); otherwise it is linked before this returns.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(
            actor.get_username() if is_user else "anonymous" if actor is None else str(actor)
        ),
        actor_org_id=getattr(actor, "organisation_id", None) if is_user else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=client_ip(request),
        # Round-trip the JSON so the hash covers exactly what the database returns.
        detail=json.loads(json.dumps(detail or {}, default=str)),
    )
    if link_later:
        # One INSERT, no savepoint, no lock: the caller's transaction makes it atomic.
        event.save(force_insert=True)
        return event
    with transaction.atomic():
        head = _locked_head()
        _link_pending(head, LINK_BATCH)
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def audit_link_pending(batch: int = LINK_BATCH) -> int:
    """Link up to ``batch`` committed unlinked events into the chain, oldest id first;
    answer how many. Several linkers may run: they take turns on the chain's lock."""
    with transaction.atomic():
        return _link_pending(_locked_head(), batch)


def _locked_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _link_pending(head: AuditChainHead, batch: int) -> int:
    """Link unlinked events after ``head`` (which the caller has locked) and move it."""
    pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
    if not pending:
        return 0
    links = {}
    for event in pending:
        # The hash covers the row as read back from the database.
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash = compute_hash(event)
        links[event.pk] = (event.seq, event.prev_hash, event.hash)
        head.last_seq, head.last_hash = event.seq, event.hash
    if AuditEvent.objects.link_unlinked(links) != len(links):
        # Only a linker that ignored the lock could get here; roll back, link nothing.
        raise RuntimeError("audit events were linked by someone else meanwhile")
    head.save(update_fields=["last_seq", "last_hash"])
    return len(links)


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None  # None for problems of events not linked yet
    kind: str  # "changed", "missing", "broken-link", "unlinked"
    message: str


def audit_verify(batch: int = 2000, *, now: dt.datetime | None = None) -> list[ChainProblem]:
    """Walk the whole chain; return every problem found (empty list: intact).

    Events not linked yet are outside the chain, so nothing vouches for them: those
    written more than ``UNLINKED_GRACE`` before ``now`` are reported (``unlinked``),
    younger ones are left to ``audit_unlinked_count``.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    for event in _iter_events(batch):
        assert event.seq is not None  # only linked events are walked
        if event.seq != expected_seq:
            first, last = expected_seq, event.seq - 1
            span = str(first) if first == last else f"{first}-{last}"
            problems.append(
                ChainProblem(first, "missing", f"entries {span} are missing (deleted)")
            )
        elif event.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    event.seq,
                    "broken-link",
                    f"entry {event.seq} does not follow entry {event.seq - 1}",
                )
            )
        if compute_hash(event) != event.hash:
            problems.append(
                ChainProblem(
                    event.seq, "changed", f"entry {event.seq} was changed after it was written"
                )
            )
        expected_seq = event.seq + 1
        prev_hash = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_seq != expected_seq - 1:
        problems.append(
            ChainProblem(
                head.last_seq,
                "missing",
                f"the chain should end at entry {head.last_seq} but ends at entry {expected_seq - 1}",
            )
        )
    cutoff = (now or timezone.now()) - UNLINKED_GRACE
    stale = AuditEvent.objects.filter(seq__isnull=True, at__lt=cutoff)
    oldest = stale.order_by("at").values_list("at", flat=True).first()
    if oldest is not None:
        problems.append(
            ChainProblem(
                None,
                "unlinked",
                f"{stale.count()} entries written since {oldest.astimezone(dt.UTC):%Y-%m-%d %H:%M}"
                " UTC are not linked into the chain: nothing vouches for them"
                " (run `childsafe audit link`; is `childsafe worker` running?)",
            )
        )
    return problems


def audit_unlinked_count() -> int:
    """Events written but not linked into the chain yet."""
    return AuditEvent.objects.filter(seq__isnull=True).count()


def _iter_events(batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq or 0
