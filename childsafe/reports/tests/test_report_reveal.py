"""reports.services.report_reveal: hidden personal data, shown for a reason, audited."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.tests.factories import make_report
from childsafe.reports.services import ReportError, report_reveal

pytestmark = pytest.mark.django_db

REASON = "Gọi lại cho phụ huynh theo yêu cầu của công an"


@pytest.fixture
def report():
    return make_report(
        child_name="Nguyễn Thị Hoa",
        child_school="THCS Lê Lợi",
        reporter_name="Trần Văn Bình",
        reporter_contact="0905123456",
        is_anonymous=False,
    )


def test_it_answers_the_chosen_fields_and_audits_the_reason(report, personas):
    values = report_reveal(
        report,
        fields=["child_name", "reporter_contact"],
        reason=REASON,
        actor=personas["ict_officer"],
    )
    assert values == {"child_name": "Nguyễn Thị Hoa", "reporter_contact": "0905123456"}
    event = AuditEvent.objects.get(action="report.reveal")
    assert event.object_id == str(report.pk)
    assert event.actor == personas["ict_officer"]
    assert event.detail == {"fields": ["child_name", "reporter_contact"], "reason": REASON}


def test_the_audit_event_never_holds_the_values(report, personas):
    report_reveal(
        report,
        fields=["child_name", "child_school", "reporter_name", "reporter_contact"],
        reason=REASON,
        actor=personas["ict_officer"],
    )
    detail = str(AuditEvent.objects.get(action="report.reveal").detail)
    for secret in ("Nguyễn Thị Hoa", "THCS Lê Lợi", "Trần Văn Bình", "0905123456"):
        assert secret not in detail


@pytest.mark.parametrize("reason", ["", "   ", "vì cần", "x" * 501])
def test_a_missing_short_or_huge_reason_is_refused(report, personas, reason):
    with pytest.raises(ReportError) as exc:
        report_reveal(report, fields=["child_name"], reason=reason, actor=personas["ict_officer"])
    assert list(exc.value.errors) == ["reason"]
    assert not AuditEvent.objects.filter(action="report.reveal").exists()


@pytest.mark.parametrize("fields", [[], ["description"], ["child_name", "access_key_digest"]])
def test_only_the_hidden_personal_fields_may_be_revealed(report, personas, fields):
    with pytest.raises(ReportError) as exc:
        report_reveal(report, fields=fields, reason=REASON, actor=personas["ict_officer"])
    assert list(exc.value.errors) == ["fields"]
    assert not AuditEvent.objects.filter(action="report.reveal").exists()
