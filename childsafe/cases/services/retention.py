"""Retention: closed cases lose their personal data once their category's period ends,
unless a legal hold keeps them.

``case_retention_sweep`` is a worker step: it claims one case with a conditional update
(``anonymised_at`` from NULL), so several workers may run. Anonymising clears the
encrypted personal fields of the case's reports (the child's name and school, the
reporter's name and contact, the description), the text of notes, decisions and
counselling records, the titles of to-dos and the reasons agencies gave for rejecting
a task (free text that may name the child), the evidence files' names, and deletes the
evidence bytes. Hashes, URLs, categories, assessments, clocks and the timeline stay for
statistics and for recognising the same content again.

The newer records of a report hold no free text, so they stay whole: a consent record
says who gave it by role (parent, child, reporter), for what, when and which staff
member recorded or withdrew it (the proof that processing was lawful); an evidence view
says which staff member looked at which file and when (their exposure and the trail).
The reason given to reveal a report's personal data lives in the hash-chained audit
event ``report.reveal``, which no sweep may rewrite: the form asks staff not to write the
child's data there.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    AgencyTask,
    Case,
    CaseEventKind,
    CaseStatus,
    CaseTask,
    CounsellingOutcome,
    CounsellingSession,
    Decision,
    Note,
    RetentionRule,
)
from childsafe.cases.services.common import CaseError, record_audit, record_event
from childsafe.orgs.models import User
from childsafe.reports.models import EvidenceBlob, EvidenceFile, Report

log = logging.getLogger(__name__)

# What a rejected task's reason becomes: the table requires one (``agencytask_rejection_
# has_reason``), and the fact and time of the rejection stay.
REMOVED_REASON = "—"


def case_set_legal_hold(case: Case, *, is_held: bool, reason: str, actor: User) -> Case:
    """Set (with a reason) or lift the legal hold; open and closed cases alike."""
    reason = reason.strip()
    if is_held and not reason:
        raise CaseError(_("Give the reason for the legal hold."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.anonymised_at is not None:
            raise CaseError(_("This case was already anonymised."))
        if case.legal_hold == is_held and not is_held:
            raise CaseError(_("This case has no legal hold."))
        case.legal_hold = is_held
        case.legal_hold_reason = reason if is_held else ""
        case.save(update_fields=["legal_hold", "legal_hold_reason"])
        kind = CaseEventKind.LEGAL_HOLD_SET if is_held else CaseEventKind.LEGAL_HOLD_LIFTED
        record_event(case, kind, actor=actor)
        record_audit("case.legal_hold", actor=actor, obj=case, is_held=is_held)
    return case


def _due_case_ids(now: dt.datetime) -> list[int]:
    """Closed, unheld, not yet anonymised cases past their category's period (oldest first)."""
    due: list[tuple[dt.datetime, int]] = []
    for rule in RetentionRule.objects.all():
        cutoff = now - dt.timedelta(days=rule.keep_days)
        rows = (
            Case.objects.filter(
                status=CaseStatus.CLOSED,
                category=rule.category,
                closed_at__lt=cutoff,
                legal_hold=False,
                anonymised_at__isnull=True,
            )
            .order_by("closed_at", "pk")
            .values_list("closed_at", "pk")[:10]
        )
        due += [(closed_at, pk) for closed_at, pk in rows if closed_at is not None]
    return [pk for _closed, pk in sorted(due)]


def case_retention_sweep(*, now: dt.datetime | None = None) -> Case | None:
    """Anonymise one closed case past its retention period; ``None`` if none is due."""
    now = now or timezone.now()
    for case_id in _due_case_ids(now):
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=case_id, anonymised_at__isnull=True, legal_hold=False
            ).update(anonymised_at=now)
            if claimed != 1:
                continue  # another worker took it, or a hold was set meanwhile
            case = Case.objects.get(pk=case_id)
            return _anonymise(case, now=now)
    return None


def _anonymise(case: Case, *, now: dt.datetime) -> Case:
    reports = Report.objects.filter(case_link__case=case)
    report_count = reports.update(
        child_name="",
        child_school="",
        reporter_name="",
        reporter_contact="",
        description="",
        replay_access_key="",
        reporter_wants_updates=False,
    )
    files = EvidenceFile.objects.filter(report__in=reports)
    files.update(original_name="")
    blobs, _detail = EvidenceBlob.objects.filter(file__in=files).delete()
    notes = Note.objects.filter(case=case).update(text="")
    decisions = Decision.objects.filter(case=case).update(text="")
    sessions = CounsellingSession.objects.filter(agency_task__case=case).update(
        notes="", outcome=""
    )
    CounsellingOutcome.objects.filter(agency_task__case=case).update(notes="")
    case_tasks = CaseTask.objects.filter(case=case).update(title="")
    AgencyTask.objects.filter(case=case).exclude(rejection_reason="").update(
        rejection_reason=REMOVED_REASON
    )
    record_event(case, CaseEventKind.ANONYMISED, at=now)
    record_audit(
        "case.anonymise",
        actor=None,
        obj=case,
        reports=report_count,
        evidence_blobs=blobs,
        notes=notes,
        decisions=decisions,
        counselling_sessions=sessions,
        case_tasks=case_tasks,
    )
    log.info("case %s anonymised (retention period over)", case.pk)
    return case
