from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from childsafe.audit.models import AuditEvent
from childsafe.lib.crypto import DecryptionError, decrypt_text, generate_key
from childsafe.orgs.models import FocalPoint, User

OLD, NEW = generate_key(), generate_key()


def stored_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM orgs_focalpoint ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def rotate(*args):
    out = io.StringIO()
    call_command("rotate_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def rows(settings, orgs, personas):
    settings.CHILDSAFE_DATA_KEYS = [OLD]
    for n in range(5):
        FocalPoint.objects.create(
            organisation=orgs.ict, full_name=f"Người số {n}", phone=f"090500000{n}"
        )
    User.objects.filter(username="ict").update(phone="0905999888")
    return settings


def test_it_reencrypts_every_row_under_the_new_key(rows):
    before = stored_names()
    rows.CHILDSAFE_DATA_KEYS = [NEW, OLD]
    assert rotate() == "re-encrypted 6 rows under the primary key\n"
    assert stored_names() != before
    rows.CHILDSAFE_DATA_KEYS = [NEW]
    assert [fp.full_name for fp in FocalPoint.objects.order_by("id")] == [
        f"Người số {n}" for n in range(5)
    ]
    assert [fp.phone for fp in FocalPoint.objects.order_by("id")][0] == "0905000000"
    assert User.objects.get(username="ict").phone == "0905999888"


def test_after_rotation_the_old_key_alone_reads_nothing(rows):
    rows.CHILDSAFE_DATA_KEYS = [NEW, OLD]
    rotate()
    rows.CHILDSAFE_DATA_KEYS = [OLD]
    with pytest.raises(DecryptionError):
        FocalPoint.objects.first()
    with pytest.raises(DecryptionError):
        decrypt_text(stored_names()[0])


def test_without_rotation_the_new_key_alone_reads_nothing(rows):
    rows.CHILDSAFE_DATA_KEYS = [NEW]
    with pytest.raises(DecryptionError):
        FocalPoint.objects.first()


def test_it_works_in_small_batches(rows):
    rows.CHILDSAFE_DATA_KEYS = [NEW, OLD]
    assert "re-encrypted 6 rows" in rotate("--batch", "2")
    rows.CHILDSAFE_DATA_KEYS = [NEW]
    assert FocalPoint.objects.count() == 5
    assert len({fp.full_name for fp in FocalPoint.objects.all()}) == 5


def test_a_rotation_is_audited(rows):
    rows.CHILDSAFE_DATA_KEYS = [NEW, OLD]
    rotate()
    event = AuditEvent.objects.get(action="crypto.rotate_key")
    assert event.actor_label == "rotate-key"
    assert event.detail == {"rows": 6}


def test_a_row_that_no_key_decrypts_stops_the_rotation(rows):
    rows.CHILDSAFE_DATA_KEYS = [NEW, generate_key()]
    with pytest.raises(DecryptionError):
        rotate()


def test_generate_prints_a_valid_key_and_touches_nothing(rows):
    before = stored_names()
    key = rotate("--generate").strip()
    assert Fernet(key.encode("ascii"))
    assert key not in (OLD, NEW)
    assert stored_names() == before
    assert not AuditEvent.objects.filter(action="crypto.rotate_key").exists()


def test_it_reencrypts_evidence_blobs(rows):
    from childsafe.lib.crypto import decrypt_bytes, encrypt_bytes
    from childsafe.reports.models import EvidenceBlob, EvidenceFile, Report

    report = Report.objects.create(
        tracking_code="BC-TEST0001", access_key_digest="x", channel="web", category="other"
    )
    evidence = EvidenceFile.objects.create(
        report=report, sha256="0" * 64, size=5, content_type="image/png"
    )
    EvidenceBlob.objects.create(file=evidence, ciphertext=encrypt_bytes(b"bytes"))
    rows.CHILDSAFE_DATA_KEYS = [NEW, OLD]
    rotate()
    rows.CHILDSAFE_DATA_KEYS = [NEW]
    assert decrypt_bytes(EvidenceBlob.objects.get().ciphertext) == b"bytes"
