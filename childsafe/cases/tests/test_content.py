"""``services.content``: assess once, re-use the decision at triage and on the case page."""

from __future__ import annotations

import datetime as dt

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import CaseEventKind, ContentAssessment
from childsafe.cases.services import CaseError, Item, case_close, case_triage_next, content_assess
from childsafe.cases.tests.factories import make_case, make_report, sha256_of

SHA = sha256_of("photo")
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_it_records_the_decision_with_timeline_and_audit(police_case, personas):
    police = personas["police_investigator"]
    row = content_assess(
        police_case,
        item=Item("url", "https://example.com/groomer"),
        assessment="national",
        category="grooming",
        actor=police,
    )
    assert (row.assessed_by, row.organisation, row.case) == (
        police,
        police.organisation,
        police_case,
    )
    assert police_case.events.filter(kind=CaseEventKind.CONTENT_ASSESSED).exists()
    audit = AuditEvent.objects.get(action="content.assess")
    assert audit.detail["assessment"] == "national"
    assert "example.com" not in str(audit.detail)


def test_an_item_is_assessed_only_once_even_across_cases(orgs, personas):
    police = personas["police_investigator"]
    first = make_case(owner=orgs.dolisa, files=[SHA])
    second = make_case(owner=orgs.dolisa, files=[SHA])
    content_assess(
        first, item=Item("file", SHA), assessment="baseline", category="csam", actor=police
    )
    with pytest.raises(CaseError):
        content_assess(
            second, item=Item("file", SHA), assessment="not_illegal", category="csam", actor=police
        )
    assert ContentAssessment.objects.count() == 1


def test_an_item_not_on_the_case_is_refused(police_case, personas):
    with pytest.raises(CaseError):
        content_assess(
            police_case,
            item=Item("file", SHA),
            assessment="baseline",
            category="csam",
            actor=personas["police_investigator"],
        )


def test_a_closed_case_is_refused(police_case, personas):
    case_close(police_case, outcome="other", actor=personas["province_coordinator"])
    police_case.refresh_from_db()
    with pytest.raises(CaseError):
        content_assess(
            police_case,
            item=Item("url", "https://example.com/groomer"),
            assessment="baseline",
            category="csam",
            actor=personas["police_investigator"],
        )


def test_triage_reuses_an_earlier_decision(orgs, personas):
    police = personas["police_investigator"]
    old = make_case(owner=orgs.dolisa, files=[SHA], urls=["https://example.com/x?utm_source=a"])
    row = content_assess(
        old, item=Item("file", SHA), assessment="baseline", category="csam", actor=police
    )
    case_close(old, outcome="content_removed", actor=personas["province_coordinator"])
    make_report(files=[SHA], urls=["https://www.example.com/other"])
    case = case_triage_next(now=NOW)
    assert case != old
    event = case.events.get(kind=CaseEventKind.CONTENT_INHERITED)
    assert event.detail["assessment_ids"] == [row.pk]
    audit = AuditEvent.objects.get(action="content.inherit")
    assert audit.object_id == str(case.pk)


def test_triage_of_new_content_reuses_nothing(orgs):
    make_report(files=[SHA])
    case = case_triage_next(now=NOW)
    assert not case.events.filter(kind=CaseEventKind.CONTENT_INHERITED).exists()
    assert not AuditEvent.objects.filter(action="content.inherit").exists()


def test_the_case_page_says_nobody_needs_to_view_it_again(orgs, personas, staff_client):
    police = personas["police_investigator"]
    old = make_case(owner=orgs.dolisa, files=[SHA])
    content_assess(
        old, item=Item("file", SHA), assessment="baseline", category="csam", actor=police
    )
    ContentAssessment.objects.update(assessed_at=dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC))
    case = make_case(
        owner=orgs.dolisa,
        files=[SHA, sha256_of("new")],
        tasks=[(orgs.district_police, "crime_reports")],
    )
    page = staff_client(personas["hotline_operator"]).get(f"/cases/{case.pk}/").content.decode()
    assert '<small class="inherited">' in page
    assert "05/01/2026" in page
    form = f'action="/cases/{case.pk}/assessments/"'
    assert form not in page  # the hotline operator does not assess
    page = staff_client(police).get(f"/cases/{case.pk}/").content.decode()
    assert page.count(form) == 1  # only the new file is left to assess


def test_the_database_holds_one_decision_per_item(police_case, personas):
    from django.db import IntegrityError, transaction

    fields = {"item_kind": "file", "key": SHA, "assessment": "baseline", "category": "csam"}
    ContentAssessment.objects.create(**fields, assessed_by=personas["police_investigator"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentAssessment.objects.create(**fields, assessed_by=personas["ict_officer"])


def test_a_race_to_assess_loses_cleanly(police_case, personas, monkeypatch):
    """Two people submit at once: the second meets the unique constraint, not a 500."""
    from django.db.models import QuerySet

    police = personas["police_investigator"]
    item = Item("url", "https://example.com/groomer")
    content_assess(police_case, item=item, assessment="baseline", category="csam", actor=police)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # the check saw nothing yet
    with pytest.raises(CaseError):
        content_assess(
            police_case, item=item, assessment="national", category="csam", actor=police
        )
