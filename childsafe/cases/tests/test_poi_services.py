"""``services.poi``: recording persons of interest, matching reports at triage, and the
isolation of matches from every role but the police."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import CaseEvent, OffenderIdentifier, PoiMatch
from childsafe.cases.services import (
    POI_BONUS,
    CaseError,
    case_triage_next,
    poi_create,
    poi_identifier_add,
)
from childsafe.cases.tests.factories import make_report
from childsafe.orgs.roles import Perm, role_has_perm

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def person(personas):
    return poi_create(
        label="Nguyễn Văn X",
        notes="Convicted 2021 for online grooming",
        source="prior_conviction",
        legal_basis="Bản án 12/2021/HS-ST",
        actor=personas["police_investigator"],
    )


def test_it_records_a_person_with_encrypted_notes(person, orgs):
    assert person.organisation == orgs.district_police
    assert person.notes.startswith("Convicted")
    audit = AuditEvent.objects.get(action="poi.create")
    assert "Nguyễn" not in str(audit.detail)


def test_identifiers_are_stored_normalised_with_a_digest(person, personas):
    identifier = poi_identifier_add(
        person, kind="phone", value="0905 123 456", actor=personas["police_investigator"]
    )
    assert identifier.value == "+84905123456"
    assert len(identifier.digest) == 64
    assert "0905" not in str(AuditEvent.objects.get(action="poi.identifier_add").detail)


def test_a_bad_or_repeated_identifier_is_refused(person, personas):
    police = personas["police_investigator"]
    with pytest.raises(CaseError):
        poi_identifier_add(person, kind="email", value="nope", actor=police)
    poi_identifier_add(person, kind="handle", value="@KeXau", actor=police)
    with pytest.raises(CaseError):
        poi_identifier_add(person, kind="handle", value="kexau", actor=police)
    assert OffenderIdentifier.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "value", "report"),
    [
        ("url", "https://fb.com/kexau", {"urls": ["https://www.fb.com/kexau?fbclid=1"]}),
        ("handle", "kexau", {"description": "Nó nhắn tin từ tài khoản @KeXau hằng đêm"}),
        ("phone", "+84905123456", {"description": "Gọi cho em từ số 0905.123.456"}),
        ("email", "x@example.com", {"description": "địa chỉ X@Example.com"}),
        ("url", "https://example.com/p", {"description": "link https://example.com/p."}),
    ],
)
def test_a_report_naming_an_identifier_matches_and_raises_priority(
    person, personas, kind, value, report
):
    poi_identifier_add(person, kind=kind, value=value, actor=personas["police_investigator"])
    make_report(category="grooming", **report)
    case = case_triage_next(now=NOW)
    match = PoiMatch.objects.get()
    assert (match.person, match.case) == (person, case)
    assert case.priority == 70 + POI_BONUS


def test_a_report_naming_nobody_does_not_match(person, personas):
    police = personas["police_investigator"]
    poi_identifier_add(person, kind="phone", value="0905123456", actor=police)
    make_report(category="grooming", description="Gọi số 0905 999 888")
    case = case_triage_next(now=NOW)
    assert not PoiMatch.objects.exists()
    assert case.priority == 70


def test_a_match_leaves_no_trace_but_the_priority_for_other_roles(person, personas):
    poi_identifier_add(person, kind="handle", value="kexau", actor=personas["police_investigator"])
    make_report(category="grooming", description="@kexau")
    case = case_triage_next(now=NOW)
    for event in CaseEvent.objects.filter(case=case):
        assert "poi" not in str(event.detail).lower()
    for event in AuditEvent.objects.exclude(action__startswith="poi."):
        assert "poi" not in f"{event.action} {event.object_type} {event.detail}".lower()
    assert PoiMatch.objects.filter(case=case).exists()


def test_the_case_page_is_the_same_for_non_police_with_or_without_a_match(
    orgs, person, personas, staff_client
):
    """Every non-police role that sees the case gets the very same page before and after a
    match is recorded on it; the police see the match."""
    police = personas["police_investigator"]
    identifier = poi_identifier_add(person, kind="handle", value="kexau", actor=police)
    with time_machine.travel(NOW, tick=False):
        make_report(category="grooming", description="@someone")
        case = case_triage_next(now=NOW)
        report = case.case_reports.get().report
        viewers = [u for u in personas.values() if not role_has_perm(u.role, Perm.POI_VIEW)]
        csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

        def pages():
            found = {}
            for user in viewers:
                response = staff_client(user).get(f"/cases/{case.pk}/")
                found[user.role] = (response.status_code, csrf.sub("", response.content.decode()))
            return found

        before = pages()
        PoiMatch.objects.create(
            identifier=identifier, person=person, case=case, report=report, matched_at=NOW
        )
        assert pages() == before
        assert sum(status == 200 for status, _page in before.values()) >= 2
    case.agency_tasks.update(organisation=orgs.district_police)
    page = staff_client(police).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="poi"' in page
    assert f"/poi/{person.pk}/" in page
