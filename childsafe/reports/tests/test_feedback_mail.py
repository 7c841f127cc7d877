"""Reporter feedback: report_set_public_status e-mails the reporter who asked for it."""

from __future__ import annotations

import pytest
from django.utils import translation

from childsafe.cases.tests.factories import make_report
from childsafe.reports.models import ConsentRecord, PublicStatus
from childsafe.reports.services import report_set_public_status

pytestmark = pytest.mark.django_db

ADDRESS = "me@example.com"


@pytest.fixture
def report():
    return make_report(
        description="Có người gửi ảnh nhạy cảm cho em",
        child_name="Nguyễn Thị Hoa",
        reporter_name="Trần Văn Bình",
        reporter_contact=ADDRESS,
        reporter_wants_updates=True,
        is_anonymous=False,
        platform="Zalo",
    )


def change(report, status, actor, capture):
    with capture(execute=True):
        report_set_public_status(report, status, actor=actor)


def test_it_mails_the_code_and_the_new_status_in_vietnamese(
    report, personas, mailoutbox, django_capture_on_commit_callbacks
):
    change(report, "forwarded", personas["hotline_operator"], django_capture_on_commit_callbacks)
    [mail] = mailoutbox
    assert mail.to == [ADDRESS]
    assert report.tracking_code in mail.subject and report.tracking_code in mail.body
    with translation.override("vi"):
        label = str(PublicStatus.FORWARDED.label)
    assert label != "Passed to the responsible agency"  # the catalogue translates it
    assert label in mail.subject and label in mail.body
    assert "111" in mail.body


def test_it_says_nothing_about_the_case(
    report, personas, mailoutbox, django_capture_on_commit_callbacks
):
    change(report, "closed", personas["hotline_operator"], django_capture_on_commit_callbacks)
    text = mailoutbox[0].subject + mailoutbox[0].body
    for secret in ("Nguyễn Thị Hoa", "Trần Văn Bình", "Zalo", "ảnh nhạy cảm", "hotline"):
        assert secret not in text


def test_it_waits_for_the_commit(report, personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_set_public_status(report, "closed", actor=personas["hotline_operator"])
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_the_same_status_again_sends_nothing(
    report, personas, mailoutbox, django_capture_on_commit_callbacks
):
    change(report, "received", personas["hotline_operator"], django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.parametrize(
    "fields",
    [
        {"reporter_wants_updates": False},
        {"reporter_contact": "0905123456"},  # a phone number: no SMS
        {"reporter_contact": ""},
    ],
)
def test_no_mail_without_an_address_or_the_wish(
    personas, mailoutbox, django_capture_on_commit_callbacks, fields
):
    values = {"reporter_contact": ADDRESS, "reporter_wants_updates": True, **fields}
    report = make_report(**values)
    change(report, "closed", personas["hotline_operator"], django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_no_mail_once_consent_to_contact_is_withdrawn(
    report, personas, mailoutbox, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.create(
        report=report, given_by="reporter", scope="contact", withdrawn_at=report.received_at
    )
    change(report, "closed", personas["hotline_operator"], django_capture_on_commit_callbacks)
    assert mailoutbox == []
