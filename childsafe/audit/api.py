"""API for auditors: read the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_record
from childsafe.orgs.access import TokenAuth
from childsafe.orgs.roles import Perm

router = Router(tags=["audit"])


class EventOut(Schema):
    seq: int
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    hash: str


@router.get("/events", response=list[EventOut], auth=TokenAuth(Perm.AUDIT_VIEW))
def event_list(
    request: HttpRequest, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> object:
    limit = max(1, min(limit, 1000))
    qs = AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq")
    if action:
        qs = qs.filter(action__startswith=action)
    rows = list(qs[:limit])
    audit_record(
        "audit.export",
        actor=request.user,
        detail={"after_seq": after_seq, "rows": len(rows)},
        request=request,
    )
    return rows
