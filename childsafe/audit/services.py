"""Writing and verifying the audit trail.

Call ``audit_record`` inside the transaction that makes the change it records,
so the change and its audit event commit or roll back together.
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
) -> AuditEvent:
    """Append one event to the chain. ``detail`` must never hold personal data."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
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
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        # Round-trip the JSON so the hash covers exactly what the database returns.
        event.detail = json.loads(json.dumps(event.detail, default=str))
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "changed", "missing", "broken-link", "head-mismatch"
    message: str


def audit_verify(batch: int = 2000) -> list[ChainProblem]:
    """Walk the whole chain; return every problem found (empty list: intact)."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    for event in _iter_events(batch):
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
    return problems


def _iter_events(batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
