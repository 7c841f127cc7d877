from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.lib.crypto import decrypt_bytes
from childsafe.reports import services
from childsafe.reports.models import (
    Channel,
    PublicStatus,
    Report,
    access_key_digest,
)
from childsafe.reports.services import (
    ReportError,
    canonical_access_key,
    canonical_tracking_code,
    report_public_status,
    report_set_public_status,
    report_submit,
)
from childsafe.reports.tests.conftest import upload
from childsafe.testing import PDF_BYTES, PHP_BYTES, bomb_png, image_bytes

pytestmark = pytest.mark.django_db

CHILD = "Nguyễn Thị Bé Na"
CONTACT = "0905123456"
STORY = "Một người lạ nhắn tin đe doạ em trên Zalo"


def data(**overrides):
    values = {
        "category": "sextortion",
        "urls": ["https://www.Facebook.com/someone?fbclid=abc&id=7"],
        "description": STORY,
        "consent_given": True,
    }
    values.update(overrides)
    return values


def submit(**kwargs):
    kwargs.setdefault("channel", Channel.WEB)
    kwargs.setdefault("data", data())
    return report_submit(**kwargs)


# --- Submission ------------------------------------------------------------------------


def test_it_stores_a_report_with_a_tracking_code_and_a_key_shown_once():
    report, key = submit()
    assert re.fullmatch(r"BC-[2-9A-HJKMNP-Z]{8}", report.tracking_code)
    assert re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){3}[2-9A-HJKMNP-Z]{4}", key)
    report.refresh_from_db()
    assert report.access_key_digest == access_key_digest(canonical_access_key(key))
    assert key not in str(Report.objects.filter(pk=report.pk).values().get())
    assert report.replay_access_key == ""  # no idempotency key: nothing to replay
    assert report.channel == Channel.WEB
    assert report.public_status == PublicStatus.RECEIVED
    assert report.triaged_at is None
    assert report.is_anonymous
    assert report.consent_text_version == "2025-1"


def test_it_normalises_urls_and_keeps_what_was_given():
    report, _key = submit(
        data=data(urls=["https://www.Facebook.com/someone?fbclid=abc&id=7", "http://10.0.0.9/x"])
    )
    rows = list(report.urls.values_list("raw", "normalised", "host", "host_is_ip"))
    assert rows == [
        (
            "https://www.Facebook.com/someone?fbclid=abc&id=7",
            "https://facebook.com/someone?id=7",
            "facebook.com",
            False,
        ),
        ("http://10.0.0.9/x", "http://10.0.0.9/x", "10.0.0.9", True),
    ]


def test_the_same_url_twice_in_one_report_is_stored_once():
    report, _key = submit(
        data=data(urls=["https://example.com/a", "https://www.example.com/a#top"])
    )
    assert report.urls.count() == 1


def test_it_stores_evidence_encrypted_with_the_digest_of_the_plaintext():
    content = image_bytes("PNG", size=(20, 20))
    report, _key = submit(files=[upload(content, "ảnh chụp.png"), upload(PDF_BYTES, "a.pdf")])
    first, second = report.files.all()
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert (first.size, first.content_type, first.original_name) == (
        len(content),
        "image/png",
        "ảnh chụp.png",
    )
    assert second.content_type == "application/pdf"
    assert content not in bytes(first.blob.ciphertext)
    assert decrypt_bytes(first.blob.ciphertext) == content


def test_the_reporter_is_not_anonymous_when_leaving_a_contact():
    report, _key = submit(data=data(reporter_contact=CONTACT))
    assert not report.is_anonymous
    assert report.reporter_wants_updates


def test_hotline_reports_record_the_operator(personas):
    operator = personas["hotline_operator"]
    report, _key = submit(channel=Channel.HOTLINE, data=data(child_name=CHILD), actor=operator)
    assert report.received_by == operator
    assert report.child_name == CHILD


def test_the_audit_event_holds_no_personal_data_or_report_text(personas):
    submit(
        channel=Channel.HOTLINE,
        data=data(
            child_name=CHILD,
            child_school="THCS Lê Lợi",
            reporter_name="Trần Văn Ba",
            reporter_contact=CONTACT,
            platform="Zalo",
        ),
        files=[upload(name="Na-chup-man-hinh.png")],
        actor=personas["hotline_operator"],
    )
    event = AuditEvent.objects.get(action="report.submit")
    assert event.detail == {
        "channel": "hotline",
        "category": "sextortion",
        "urls": 1,
        "files": 1,
        "child_in_danger": False,
        "idempotent": False,
    }
    assert event.ip is None
    assert event.actor == personas["hotline_operator"]


def test_an_anonymous_submission_is_audited_as_anonymous():
    report, _key = submit()
    event = AuditEvent.objects.get(action="report.submit")
    assert (event.actor_label, event.object_id) == ("anonymous", str(report.pk))


def test_personal_data_is_not_in_the_database_in_plain_text(personas):
    report, _key = submit(
        channel=Channel.HOTLINE,
        data=data(child_name=CHILD, reporter_contact=CONTACT),
        files=[upload(name="Na.png")],
        actor=personas["hotline_operator"],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child_name, reporter_contact, description FROM reports_report WHERE id = %s",
            [report.pk],
        )
        row = cursor.fetchone()
        cursor.execute("SELECT original_name FROM reports_evidencefile")
        names = cursor.fetchall()
    assert all(value.startswith("enc1:") for value in row)
    assert CHILD not in str(row) and CONTACT not in str(row) and "Zalo" not in str(row)
    assert "Na.png" not in str(names)


# --- Bad input: ReportError, and nothing stored ------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "spam"}, "category"),
        ({"urls": ["javascript:alert(1)"]}, "urls"),
        ({"urls": ["https://example.com/a b"]}, "urls"),
        ({"urls": [f"https://example.com/{i}" for i in range(21)]}, "urls"),
        ({"description": "x" * 5001}, "description"),
        ({"platform": "x" * 101}, "platform"),
        ({"child_name": "x" * 201}, "child_name"),
        ({"reporter_contact": "call me maybe"}, "reporter_contact"),
        ({"child_age_group": "ancient"}, "child_age_group"),
        ({"reporter_relation": "boss"}, "reporter_relation"),
        ({"occurred_on": dt.date.today() + dt.timedelta(days=5)}, "occurred_on"),
        ({"consent_given": False}, "consent_given"),
        ({"consent_text_version": "1999"}, "consent_text_version"),
        ({"urls": [], "description": ""}, "description"),
    ],
)
def test_it_refuses_bad_fields_naming_the_field(overrides, field, nothing_stored):
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(data=data(**overrides))
    assert field in exc.value.errors


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (PHP_BYTES, "photo.jpg"),
        (image_bytes("JPEG", size=(64, 64))[:300], "broken.jpg"),
        (b"", "empty.png"),
    ],
)
def test_it_refuses_bad_files_and_stores_nothing(content, name, nothing_stored):
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(files=[upload(), upload(content, name)])
    assert list(exc.value.errors) == ["files"]
    assert name in exc.value.errors["files"][0]


def test_it_refuses_a_decompression_bomb(nothing_stored):
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(files=[upload(bomb_png(), "bomb.png")])
    assert "files" in exc.value.errors


def test_it_refuses_an_oversized_file_without_reading_it(settings, nothing_stored):
    class Unreadable:
        name, size = "huge.png", 1025

        def seek(self, offset):
            raise AssertionError("an oversized file must not be read")

        read = seek

    settings.EVIDENCE_MAX_BYTES = 1024
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(files=[Unreadable()])
    assert "huge.png" in exc.value.errors["files"][0]


def test_it_refuses_too_many_files(settings, nothing_stored):
    settings.EVIDENCE_MAX_FILES = 2
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(files=[upload(), upload(), upload()])
    assert "files" in exc.value.errors


def test_it_collects_every_problem_at_once():
    with pytest.raises(ReportError) as exc:
        submit(data={"category": "spam", "urls": ["nope nope"], "consent_given": False})
    assert set(exc.value.errors) == {"category", "urls", "consent_given"}


def test_the_error_message_does_not_quote_the_report():
    with pytest.raises(ReportError) as exc:
        submit(data=data(urls=["http://secret child name/"]))
    assert "secret" not in str(exc.value)


def test_api_reports_need_no_consent_tick():
    report, _key = submit(channel=Channel.API, data=data(consent_given=False))
    assert not report.consent_given
    assert report.consent_text_version == ""


def test_a_failure_after_the_first_rows_leaves_nothing(monkeypatch, nothing_stored):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "audit_record", crash)
    with nothing_stored(), pytest.raises(RuntimeError):
        submit(files=[upload()])


# --- Idempotency -------------------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_same_report_and_key():
    first, key = submit(idempotency_scope="user:7", idempotency_key="a1b2")
    again, key_again = submit(idempotency_scope="user:7", idempotency_key="a1b2")
    assert (again.pk, key_again) == (first.pk, key)
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.submit").count() == 1


def test_the_same_key_in_another_scope_is_another_report():
    first, _ = submit(idempotency_scope="user:7", idempotency_key="a1b2")
    other, _ = submit(idempotency_scope="user:8", idempotency_key="a1b2")
    assert other.pk != first.pk


def test_the_same_key_with_a_different_report_is_refused():
    submit(idempotency_scope="user:7", idempotency_key="a1b2")
    with pytest.raises(ReportError) as exc:
        submit(
            data=data(description="something else"),
            idempotency_scope="user:7",
            idempotency_key="a1b2",
        )
    assert "idempotency_key" in exc.value.errors
    assert Report.objects.count() == 1


def test_an_unusable_idempotency_key_is_refused(nothing_stored):
    with nothing_stored(), pytest.raises(ReportError) as exc:
        submit(idempotency_scope="user:7", idempotency_key="x" * 129)
    assert "idempotency_key" in exc.value.errors


def test_a_repeat_is_caught_by_the_unique_constraint_not_looked_up_first(monkeypatch):
    """No look-up before the insert: the constraint answers repeats, and the race of two
    simultaneous ones, alike."""
    first, key = submit(idempotency_scope="ip:abc", idempotency_key="k-1")
    real_replay = services._replay
    calls = []

    def spy(scope, idem_key, fingerprint):
        calls.append(Report.objects.filter(idempotency_key=idem_key).count())
        return real_replay(scope, idem_key, fingerprint)

    monkeypatch.setattr(services, "_replay", spy)
    again, key_again = submit(idempotency_scope="ip:abc", idempotency_key="k-1", files=[])
    assert calls == [1]  # once, after the insert collided
    assert (again.pk, key_again) == (first.pk, key)
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.submit").count() == 1


def test_a_submission_is_one_transaction_of_inserts_without_the_audit_chain_lock():
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        submit(
            data=data(reporter_contact=CONTACT), idempotency_scope="ip:abc", idempotency_key="k"
        )
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # Report, URLs, consents, audit event: no reads and no lock. (The test runs in a
    # transaction, so the service's own transaction is one savepoint here.)
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    assert [s for s in statements if s not in control] == ["INSERT"] * 4
    assert statements.count("SAVEPOINT") == 1
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_the_submission_event_is_linked_into_the_chain_afterwards():
    from childsafe.audit.services import audit_link_pending, audit_verify

    report, _key = submit()
    event = AuditEvent.objects.get(action="report.submit")
    assert (event.seq, event.object_id) == (None, str(report.pk))
    assert audit_link_pending() == 1
    assert AuditEvent.objects.get(pk=event.pk).seq == 1
    assert audit_verify() == []


def test_a_colliding_tracking_code_is_drawn_again(monkeypatch):
    existing, _ = submit()
    codes = iter([existing.tracking_code, "BC-22222222"])
    monkeypatch.setattr(services, "_new_tracking_code", lambda: next(codes))
    report, _key = submit()
    assert report.tracking_code == "BC-22222222"
    assert Report.objects.count() == 2


# --- Public status -----------------------------------------------------------------------


def test_the_public_status_needs_the_right_key():
    report, key = submit()
    status = report_public_status(report.tracking_code, key)
    assert status == {
        "tracking_code": report.tracking_code,
        "status": "received",
        "status_label": "Đã tiếp nhận",  # Vietnamese, the default language
        "received_on": timezone.localdate(report.received_at),
    }
    wrong = key[:-1] + ("2" if key[-1] != "2" else "3")
    assert report_public_status(report.tracking_code, wrong) is None
    assert report_public_status("BC-ZZZZZZZZ", key) is None
    assert report_public_status("", "") is None


def test_the_code_and_key_are_forgiving_about_case_spaces_and_dashes():
    report, key = submit()
    code = report.tracking_code
    assert report_public_status(code.lower().replace("-", " "), key.lower().replace("-", ""))
    assert report_public_status(code[3:], f" {key} ")
    assert canonical_tracking_code("bc 7k3m 9qx2") == "BC-7K3M9QX2"
    assert canonical_tracking_code("7K3M9QX") == ""


def test_the_public_status_shows_nothing_of_the_staff_work(personas):
    report, key = submit(
        channel=Channel.HOTLINE, data=data(child_name=CHILD), actor=personas["hotline_operator"]
    )
    status = report_public_status(report.tracking_code, key)
    assert set(status) == {"tracking_code", "status", "status_label", "received_on"}


def test_setting_the_public_status_is_audited(personas):
    report, key = submit()
    coordinator = personas["province_coordinator"]
    report_set_public_status(report, PublicStatus.FORWARDED, actor=coordinator)
    assert report_public_status(report.tracking_code, key)["status"] == "forwarded"
    event = AuditEvent.objects.get(action="report.public_status")
    assert event.detail == {"from": "received", "to": "forwarded"}
    assert event.actor == coordinator


def test_setting_the_same_status_again_records_nothing(personas):
    report, _key = submit()
    report_set_public_status(report, PublicStatus.RECEIVED, actor=personas["auditor"])
    assert not AuditEvent.objects.filter(action="report.public_status").exists()


def test_an_unknown_public_status_is_refused(personas):
    report, _key = submit()
    with pytest.raises(ReportError):
        report_set_public_status(report, "lost", actor=personas["auditor"])
    report.refresh_from_db()
    assert report.public_status == PublicStatus.RECEIVED
