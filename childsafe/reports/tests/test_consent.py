"""Consent records: made by the doors, withdrawn by staff (reports.services)."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_report
from childsafe.reports.models import Channel, ConsentRecord
from childsafe.reports.services import (
    ConsentError,
    consent_withdraw,
    feedback_address,
    report_submit,
)

pytestmark = pytest.mark.django_db


def data(**overrides):
    values = {
        "category": "cyberbullying",
        "description": "Có người chế giễu bạn em",
        "consent_given": True,
    }
    values.update(overrides)
    return values


def given(report):
    return sorted((c.given_by, c.scope) for c in report.consents.all())


def test_the_public_tick_records_the_reporters_consent_to_process_and_share():
    report, _key = report_submit(channel=Channel.WEB, data=data())
    assert given(report) == [("reporter", "process"), ("reporter", "share")]
    consent = report.consents.first()
    assert consent.recorded_by is None
    assert consent.text_version == "2025-1"
    assert consent.given_at == report.received_at


def test_a_contact_adds_consent_to_be_contacted():
    report, _key = report_submit(channel=Channel.WEB, data=data(reporter_contact="me@example.com"))
    assert ("reporter", "contact") in given(report)


def test_the_hotline_records_the_parents_and_the_childs_consent(personas):
    operator = personas["hotline_operator"]
    report, _key = report_submit(
        channel=Channel.HOTLINE,
        data=data(parent_consent_given=True, child_consent_given=True),
        actor=operator,
    )
    assert given(report) == [
        ("child", "process"),
        ("child", "share"),
        ("parent", "process"),
        ("parent", "share"),
        ("reporter", "process"),
        ("reporter", "share"),
    ]
    assert {c.recorded_by for c in report.consents.all()} == {operator}


def test_the_public_page_cannot_record_a_parents_consent():
    report, _key = report_submit(channel=Channel.WEB, data=data(parent_consent_given=True))
    assert "parent" not in {c.given_by for c in report.consents.all()}


def test_an_api_report_without_consent_has_no_consent_record():
    report, _key = report_submit(channel=Channel.API, data=data(consent_given=False))
    assert given(report) == []


def test_withdrawal_is_recorded_and_audited(personas):
    report = make_report()
    consent = ConsentRecord.objects.create(report=report, given_by="parent", scope="process")
    consent_withdraw(consent, actor=personas["hotline_operator"])
    consent.refresh_from_db()
    assert consent.is_withdrawn
    assert consent.withdrawn_by == personas["hotline_operator"]
    event = AuditEvent.objects.get(action="report.consent_withdraw")
    assert event.object_id == str(report.pk)
    assert event.detail == {"consent": consent.pk, "given_by": "parent", "scope": "process"}


def test_withdrawing_processing_flags_the_report(personas):
    report = make_report()
    consent = ConsentRecord.objects.create(report=report, given_by="child", scope="process")
    ConsentRecord.objects.create(report=report, given_by="parent", scope="process")
    assert not report.is_processing_withdrawn
    consent_withdraw(consent, actor=personas["hotline_operator"])
    assert report.is_processing_withdrawn  # one of the two is enough


def test_withdrawing_twice_is_refused(personas):
    consent = ConsentRecord.objects.create(report=make_report(), given_by="parent", scope="share")
    consent_withdraw(consent, actor=personas["hotline_operator"])
    with pytest.raises(ConsentError):
        consent_withdraw(consent, actor=personas["hotline_operator"])
    assert AuditEvent.objects.filter(action="report.consent_withdraw").count() == 1


@pytest.mark.parametrize("scope", ["process", "contact"])
def test_withdrawn_processing_or_contact_stops_reporter_mail(personas, scope):
    report = make_report(reporter_contact="me@example.com", reporter_wants_updates=True)
    consent = ConsentRecord.objects.create(report=report, given_by="reporter", scope=scope)
    assert feedback_address(report) == "me@example.com"
    consent_withdraw(consent, actor=personas["hotline_operator"])
    assert feedback_address(report) == ""


def test_withdrawn_sharing_does_not_stop_reporter_mail(personas):
    report = make_report(reporter_contact="me@example.com", reporter_wants_updates=True)
    consent = ConsentRecord.objects.create(report=report, given_by="reporter", scope="share")
    consent_withdraw(consent, actor=personas["hotline_operator"])
    assert feedback_address(report) == "me@example.com"
