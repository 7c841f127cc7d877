"""Persons of interest, police only: recording them and matching new reports at triage.

Isolation: a match is recorded as a ``PoiMatch`` row and raises the case's priority by
``POI_BONUS``; it writes nothing to the case timeline and nothing that names the case to
the audit trail, so no role but the police (``poi.view``) can see or infer it beyond the
priority number itself (see docs/intake-and-cases.md, "Persons of interest").
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    Case,
    OffenderIdentifier,
    PersonOfInterest,
    PoiMatch,
)
from childsafe.cases.poi import identifiers_in, match_digest, normalise_identifier
from childsafe.cases.services.common import CaseError, actor_org, record_audit
from childsafe.orgs.models import User
from childsafe.reports.models import Report

# Priority added to a case when one of its reports names a person of interest.
POI_BONUS = 30


def poi_create(
    *, label: str, notes: str, source: str, legal_basis: str, actor: User
) -> PersonOfInterest:
    with transaction.atomic():
        person = PersonOfInterest.objects.create(
            label=label,
            notes=notes,
            source=source,
            legal_basis=legal_basis,
            organisation=actor_org(actor),
            created_by=actor,
        )
        record_audit("poi.create", actor=actor, obj=person, source=source)
    return person


def poi_identifier_add(
    person: PersonOfInterest, *, kind: str, value: str, actor: User
) -> OffenderIdentifier:
    """Add an identifier; the value is normalised first, and a person has it only once."""
    try:
        normalised = normalise_identifier(kind, value)
    except ValueError:
        raise CaseError(_("This is not a valid identifier of that kind.")) from None
    digest = match_digest(kind, normalised)
    with transaction.atomic():
        if OffenderIdentifier.objects.filter(person=person, digest=digest).exists():
            raise CaseError(_("This person already has this identifier."))
        try:
            with transaction.atomic():
                identifier = OffenderIdentifier.objects.create(
                    person=person, kind=kind, value=normalised, digest=digest, created_by=actor
                )
        except IntegrityError:
            raise CaseError(_("This person already has this identifier.")) from None
        record_audit(
            "poi.identifier_add", actor=actor, obj=identifier, person_id=person.pk, kind=kind
        )
    return identifier


def report_identifier_digests(report: Report) -> set[str]:
    """Match digests of what the report names: its URLs, and the URLs, handles, e-mail
    addresses and phone numbers in its description."""
    urls = list(report.urls.values_list("normalised", flat=True))
    found = identifiers_in(report.description or "", urls)
    return {match_digest(kind, value) for kind, value in found}


def poi_match_report(case: Case, report: Report, *, now: dt.datetime) -> list[PoiMatch]:
    """Match a report being triaged against every offender identifier (province-wide).

    Runs inside the triage transaction.
    """
    digests = report_identifier_digests(report)
    if not digests:
        return []
    matches = []
    for identifier in OffenderIdentifier.objects.filter(digest__in=digests):
        match, created = PoiMatch.objects.get_or_create(
            identifier=identifier,
            report=report,
            defaults={"person_id": identifier.person_id, "case": case, "matched_at": now},
        )
        if created:
            matches.append(match)
    # No log line either: logs reach system administrators, who must not learn of matches.
    return matches


def case_has_poi_match(case: Case) -> bool:
    return PoiMatch.objects.filter(case=case).exists()
