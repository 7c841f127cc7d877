"""Consents given after the report: recorded from the case page.

A parent (or the child, aged 7 or more, or the reporter) may agree after the report was
made, on the phone with the hotline or in person with the case's coordinator (Decree
13/2023 art. 20: the parent's and, from age 7, the child's consent). Each purpose is one
``reports.ConsentRecord``, with the consent text version the person agreed to, when
they gave it and who recorded it; the audit event ``report.consent_record`` names ids,
the giver's role and the purposes, nothing more.

The records live in ``childsafe.reports``; the service lives here because recording one
is an act on a case (``reports`` never imports ``cases``).

A consent withdrawn once is not recorded again: ``Report.has_withdrawn`` treats any
withdrawal as final (processing stops, no more e-mails), so a new record would show as
given while the report still reads as withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.cases.models import Case, CaseReport
from childsafe.cases.services.common import CaseError, record_audit, require_open
from childsafe.orgs.models import User
from childsafe.reports.consent import CURRENT
from childsafe.reports.models import AgeGroup, ConsentGiver, ConsentRecord, ConsentScope, Report

# Purposes each giver may consent to: only the reporter agrees to being contacted.
SCOPES_BY_GIVER: dict[str, frozenset[str]] = {
    ConsentGiver.PARENT: frozenset({ConsentScope.PROCESS, ConsentScope.SHARE}),
    ConsentGiver.CHILD: frozenset({ConsentScope.PROCESS, ConsentScope.SHARE}),
    ConsentGiver.REPORTER: frozenset(ConsentScope.values),
}


def consent_record(
    report: Report,
    *,
    case: Case,
    given_by: str,
    scopes: Sequence[str],
    given_at: dt.datetime | None = None,
    actor: User,
    now: dt.datetime | None = None,
) -> list[ConsentRecord]:
    """Record that ``given_by`` consented to ``scopes`` for ``report`` (on ``case``),
    at ``given_at`` (default: now). Raises ``CaseError`` and records nothing when a
    rule refuses: an unknown giver or purpose, contact consent from anyone but the
    reporter, a child under 7, a time in the future or before the report, a consent
    already recorded or withdrawn, a closed case."""
    now = now or timezone.now()
    given_at = given_at or now
    wanted = list(dict.fromkeys(scopes))
    if given_by not in SCOPES_BY_GIVER:
        raise CaseError(_("Choose who gave the consent."))
    if not wanted or not set(wanted) <= set(ConsentScope.values):
        raise CaseError(_("Choose what the person agreed to."))
    if not set(wanted) <= SCOPES_BY_GIVER[given_by]:
        raise CaseError(_("Only the reporter can agree to being contacted."))
    if given_by == ConsentGiver.CHILD and report.child_age_group == AgeGroup.UNDER_6:
        raise CaseError(
            _("A child under 7 cannot give consent: record the parent's consent instead.")
        )
    if given_at > now:
        raise CaseError(_("A consent cannot be recorded before it is given."))
    if given_at < report.received_at:
        raise CaseError(_("A consent recorded here cannot date from before the report."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        if not CaseReport.objects.filter(case=case, report=report).exists():
            raise CaseError(_("This report is not on this case."))
        earlier = list(
            ConsentRecord.objects.filter(report=report, given_by=given_by, scope__in=wanted)
        )
        if any(c.is_withdrawn for c in earlier):
            raise CaseError(
                _(
                    "This person withdrew this consent earlier; a new consent after a "
                    "withdrawal cannot be recorded."
                )
            )
        if earlier:
            raise CaseError(_("This consent is already recorded."))
        records = [
            ConsentRecord.objects.create(
                report=report,
                given_by=given_by,
                scope=scope,
                text_version=CURRENT,
                given_at=given_at,
                recorded_by=actor,
            )
            for scope in wanted
        ]
        record_audit(
            "report.consent_record",
            actor=actor,
            obj=report,
            case_id=case.pk,
            consents=[c.pk for c in records],
            given_by=given_by,
            scopes=wanted,
        )
    return records
