"""``childsafe poi-rekey``: digests follow a new match key, and matching works again."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import OffenderIdentifier, PoiMatch
from childsafe.cases.poi import match_digest
from childsafe.cases.services import case_triage_next, poi_create, poi_identifier_add
from childsafe.cases.tests.factories import make_report

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
IDENTIFIERS = [
    ("handle", "kexau"),
    ("phone", "0905 123 456"),
    ("email", "Ke.Xau@example.com"),
    ("url", "https://example.com/ke-xau"),
]


@pytest.fixture
def identifiers(settings, personas):
    """Four identifiers recorded under key A; then the key becomes B."""
    settings.CHILDSAFE_MATCH_KEY = "key-a"
    police = personas["police_investigator"]
    person = poi_create(
        label="Person X",
        notes="",
        source="prior_conviction",
        legal_basis="Bản án 12/2021/HS-ST",
        actor=police,
    )
    rows = [poi_identifier_add(person, kind=k, value=v, actor=police) for k, v in IDENTIFIERS]
    settings.CHILDSAFE_MATCH_KEY = "key-b"
    return rows


def run(*args):
    out = StringIO()
    call_command("poi_rekey", *args, stdout=out)
    return out.getvalue()


def current_digests():
    return {
        row.pk: (row.digest == match_digest(row.kind, row.value))
        for row in OffenderIdentifier.objects.all()
    }


def test_a_new_key_stops_matching_until_the_command_runs(identifiers):
    make_report(category="grooming", description="@kexau")
    case_triage_next(now=NOW)
    assert not PoiMatch.objects.exists()
    assert not any(current_digests().values())


def test_it_recomputes_every_digest_under_the_new_key(identifiers):
    output = run("--batch", "3")  # two batches

    assert all(current_digests().values())
    assert "re-digested 4 of 4 identifiers" in output
    make_report(category="grooming", description="Nhắn tin từ @kexau, gọi 0905123456")
    case = case_triage_next(now=NOW)
    assert PoiMatch.objects.filter(case=case).count() == 2


def test_it_also_follows_a_new_secret_key_when_no_match_key_is_set(settings, identifiers):
    settings.CHILDSAFE_MATCH_KEY = ""
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    run()

    assert all(current_digests().values())


def test_running_it_twice_changes_nothing_the_second_time(identifiers):
    run()
    before = {row.pk: row.digest for row in OffenderIdentifier.objects.all()}

    output = run()

    assert "re-digested 0 of 4 identifiers" in output
    assert {row.pk: row.digest for row in OffenderIdentifier.objects.all()} == before


def test_it_records_counts_only_in_the_audit_trail(identifiers):
    run()

    event = AuditEvent.objects.get(action="poi.rekey")
    assert event.actor_label == "poi-rekey"
    assert event.detail == {"rows": 4, "changed": 4}


def test_it_refuses_an_empty_batch(identifiers):
    with pytest.raises(CommandError, match="batch"):
        run("--batch", "0")
