"""What every case service shares: the domain error, the timeline and audit writers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.audit.services import audit_record
from childsafe.cases.models import (
    AgencyTask,
    Case,
    CaseEvent,
)
from childsafe.orgs.models import Organisation, User
from childsafe.reports.models import PublicStatus, Report
from childsafe.reports.services import report_set_public_status

SYSTEM_ACTOR = "system:worker"


class CaseError(Exception):
    """An action that the case's current state does not allow."""


def actor_user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def record_event(
    case: Case,
    kind: str,
    /,
    *,
    actor: Any = None,
    at: dt.datetime | None = None,
    organisation: Organisation | None = None,
    **detail: Any,
) -> CaseEvent:
    user = actor_user(actor)
    if organisation is None and user is not None:
        organisation = user.organisation
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=user,
        organisation=organisation,
        at=at or timezone.now(),
        detail=detail,
    )


def record_audit(action: str, *, actor: Any, obj: Any, **detail: Any) -> None:
    audit_record(
        action, actor=actor if actor is not None else SYSTEM_ACTOR, obj=obj, detail=detail
    )


def require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseError(_("This case is closed."))


def set_public_status(case: Case, status: str, *, actor: Any) -> None:
    """Move what the case's reporters see forward (never back: closed stays closed)."""
    order = list(PublicStatus.values)
    for report in Report.objects.filter(case_link__case=case):
        if order.index(report.public_status) < order.index(status):
            report_set_public_status(
                report, status, actor=actor if actor is not None else SYSTEM_ACTOR
            )


def transition(task: AgencyTask, allowed: tuple[str, ...], message: str, **changes: Any) -> None:
    """Move ``task`` only if it is still in an ``allowed`` status (no lost updates)."""
    moved = AgencyTask.objects.filter(pk=task.pk, status__in=allowed).update(**changes)
    if moved != 1:
        raise CaseError(message)
    task.refresh_from_db()


def actor_org(actor: User) -> Organisation:
    if actor.organisation is None:
        raise CaseError(_("Your account belongs to no organisation."))
    return actor.organisation
