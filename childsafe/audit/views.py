"""Browsing the audit trail (auditors)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_record
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm


def _parse_day(raw: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


@staff_required(Perm.AUDIT_VIEW)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.all()
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("action", "actor", "object_type", "since", "until")
    }
    errors = []
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["actor"]:
        events = events.filter(actor_label=filters["actor"])
    if filters["object_type"]:
        events = events.filter(object_type=filters["object_type"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[key]:
            day = _parse_day(filters[key])
            if day is None:
                errors.append(key)
            else:
                events = events.filter(**{lookup: day})
    # Recorded before the page is read, so that count and rows agree on this event.
    audit_record(
        "audit.browse",
        actor=request.user,
        detail={"filters": {k: v for k, v in filters.items() if v}},
        request=request,
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    status = 400 if errors else 200
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "filters": filters, "errors": errors},
        status=status,
    )
