"""Counselling referrals: the social support facility that accepted a counselling task
records its sessions and the referral's outcome.

Need-to-know: these records are seen only by the facility (and the units below it) and
the case's owner organisation (``cases/access.py``), so they write no line to the case
timeline, which every agency on the case reads; the audit trail names ids only.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    AgencyTask,
    AgencyTaskStatus,
    CounsellingOutcome,
    CounsellingSession,
)
from childsafe.cases.services.common import CaseError, record_audit, require_open
from childsafe.orgs.models import Function, OrgKind, User


def _require_counselling(task: AgencyTask, *, statuses: tuple[str, ...]) -> None:
    if task.function != Function.COUNSELLING:
        raise CaseError(_("Only a counselling task records counselling."))
    if task.organisation.kind != OrgKind.SOCIAL_SUPPORT_FACILITY:
        raise CaseError(_("Only a social support facility records counselling."))
    if task.status not in statuses:
        raise CaseError(_("The facility must accept the counselling task first."))


def counselling_session_add(
    task: AgencyTask,
    *,
    held_on: dt.date,
    duration_minutes: int,
    mode: str,
    notes: str = "",
    outcome: str = "",
    actor: User,
) -> CounsellingSession:
    with transaction.atomic():
        require_open(task.case)
        _require_counselling(task, statuses=(AgencyTaskStatus.ACCEPTED,))
        if duration_minutes <= 0:
            raise CaseError(_("A session lasts at least one minute."))
        session = CounsellingSession.objects.create(
            agency_task=task,
            held_on=held_on,
            duration_minutes=duration_minutes,
            mode=mode,
            notes=notes,
            outcome=outcome,
            recorded_by=actor,
        )
        record_audit(
            "counselling.session_add",
            actor=actor,
            obj=session,
            case_id=task.case_id,
            task_id=task.pk,
            mode=mode,
            duration_minutes=duration_minutes,
        )
    return session


def counselling_outcome_set(
    task: AgencyTask, *, outcome: str, notes: str = "", actor: User
) -> CounsellingOutcome:
    """Record the referral's outcome, or revise it (the audit trail keeps each one)."""
    with transaction.atomic():
        require_open(task.case)
        _require_counselling(task, statuses=(AgencyTaskStatus.ACCEPTED, AgencyTaskStatus.DONE))
        row, _created = CounsellingOutcome.objects.update_or_create(
            agency_task=task,
            defaults={"outcome": outcome, "notes": notes, "recorded_by": actor},
        )
        record_audit(
            "counselling.outcome",
            actor=actor,
            obj=row,
            case_id=task.case_id,
            task_id=task.pk,
            outcome=outcome,
        )
    return row
