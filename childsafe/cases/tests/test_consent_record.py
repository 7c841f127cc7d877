"""POST /cases/<id>/reports/<id>/consents/: a consent given after the report, and the
service ``consent_record`` behind it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from childsafe.audit.models import AuditEvent
from childsafe.cases.services import CaseError, case_close, consent_record
from childsafe.cases.tests.factories import make_case, make_report
from childsafe.orgs.models import Function
from childsafe.orgs.roles import Role
from childsafe.reports.consent import CURRENT
from childsafe.reports.models import ConsentRecord
from childsafe.reports.services import consent_withdraw
from childsafe.testing import make_user


@pytest.fixture(autouse=True)
def _english_messages():
    """Services' refusals are matched in English below."""
    with translation.override("en"):
        yield


VN = dt.timezone(dt.timedelta(hours=7))
RECEIVED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
LATER = dt.datetime(2026, 3, 5, 14, 30, tzinfo=VN)


@pytest.fixture
def case(orgs):
    """A case coordinated by DOLISA (the hotline's organisation) with a police task."""
    report = make_report(category="grooming", received_at=RECEIVED, child_age_group="11_15")
    return make_case(
        owner=orgs.dolisa,
        category="grooming",
        report=report,
        tasks=[(orgs.district_police, Function.CRIME_REPORTS)],
    )


@pytest.fixture
def report(case):
    return case.case_reports.get().report


def url(case, report):
    return f"/cases/{case.pk}/reports/{report.pk}/consents/"


PARENT = {"given_by": "parent", "scopes": ["process", "share"], "confirm": "on"}


# --- The service ------------------------------------------------------------------------


def test_it_records_one_consent_per_purpose(case, report, personas):
    operator = personas["hotline_operator"]
    with time_machine.travel(LATER, tick=False):
        records = consent_record(
            report, case=case, given_by="parent", scopes=["process", "share"], actor=operator
        )
    assert [(c.given_by, c.scope) for c in records] == [("parent", "process"), ("parent", "share")]
    for record in records:
        record.refresh_from_db()
        assert (record.text_version, record.given_at, record.recorded_by) == (
            CURRENT,
            LATER,
            operator,
        )
    audit = AuditEvent.objects.get(action="report.consent_record")
    assert audit.object_id == str(report.pk)
    assert audit.detail == {
        "case_id": case.pk,
        "consents": [c.pk for c in records],
        "given_by": "parent",
        "scopes": ["process", "share"],
    }


def test_it_keeps_the_time_the_person_gave_it(case, report, personas):
    given = dt.datetime(2026, 3, 3, 10, 0, tzinfo=VN)
    with time_machine.travel(LATER, tick=False):
        (record,) = consent_record(
            report,
            case=case,
            given_by="child",
            scopes=["process"],
            given_at=given,
            actor=personas["hotline_operator"],
        )
    record.refresh_from_db()
    assert record.given_at == given


@pytest.mark.parametrize(
    ("given_by", "scopes"),
    [
        ("neighbour", ["process"]),
        ("parent", []),
        ("parent", ["sell"]),
        ("parent", ["contact"]),  # only the reporter agrees to being contacted
        ("child", ["process", "contact"]),
    ],
)
def test_a_refused_consent_records_nothing(case, report, personas, given_by, scopes):
    with pytest.raises(CaseError):
        consent_record(
            report,
            case=case,
            given_by=given_by,
            scopes=scopes,
            actor=personas["hotline_operator"],
        )
    assert not ConsentRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="report.consent_record").exists()


def test_a_child_under_7_gives_no_consent(orgs, personas):
    case = make_case(owner=orgs.dolisa, child_age_group="under_6")
    report = case.case_reports.get().report
    with pytest.raises(CaseError, match="7"):
        consent_record(
            report,
            case=case,
            given_by="child",
            scopes=["process"],
            actor=personas["hotline_operator"],
        )
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "given_at",
    [RECEIVED - dt.timedelta(minutes=1), LATER + dt.timedelta(minutes=1)],
    ids=["before-the-report", "in-the-future"],
)
def test_a_consent_dated_outside_the_report_and_now_is_refused(case, report, personas, given_at):
    with time_machine.travel(LATER, tick=False), pytest.raises(CaseError):
        consent_record(
            report,
            case=case,
            given_by="parent",
            scopes=["process"],
            given_at=given_at,
            actor=personas["hotline_operator"],
        )
    assert not ConsentRecord.objects.exists()


def test_the_same_consent_twice_is_refused_whole(case, report, personas):
    operator = personas["hotline_operator"]
    consent_record(report, case=case, given_by="parent", scopes=["process"], actor=operator)
    with pytest.raises(CaseError, match="already"):
        consent_record(
            report, case=case, given_by="parent", scopes=["share", "process"], actor=operator
        )
    assert list(ConsentRecord.objects.values_list("scope", flat=True)) == ["process"]


def test_a_withdrawn_consent_is_not_recorded_again(case, report, personas):
    operator = personas["hotline_operator"]
    (record,) = consent_record(
        report, case=case, given_by="parent", scopes=["process"], actor=operator
    )
    consent_withdraw(record, actor=operator)
    with pytest.raises(CaseError, match="withdrew"):
        consent_record(report, case=case, given_by="parent", scopes=["process"], actor=operator)
    assert ConsentRecord.objects.count() == 1


def test_a_closed_case_takes_no_consent(case, report, personas):
    case.agency_tasks.update(status="done")
    case_close(case, outcome="no_violation", actor=personas["hotline_operator"])
    with pytest.raises(CaseError):
        consent_record(
            report,
            case=case,
            given_by="parent",
            scopes=["process"],
            actor=personas["hotline_operator"],
        )
    assert not ConsentRecord.objects.exists()


def test_a_report_of_another_case_is_refused(case, orgs, personas):
    other = make_case(owner=orgs.dolisa).case_reports.get().report
    with pytest.raises(CaseError):
        consent_record(
            other,
            case=case,
            given_by="parent",
            scopes=["process"],
            actor=personas["hotline_operator"],
        )
    assert not ConsentRecord.objects.exists()


# --- The view ---------------------------------------------------------------------------


def test_the_hotline_records_a_parents_consent(case, report, personas, staff_client):
    client = staff_client(personas["hotline_operator"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="{url(case, report)}"' in page
    response = client.post(url(case, report), PARENT)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert sorted(ConsentRecord.objects.values_list("given_by", "scope")) == [
        ("parent", "process"),
        ("parent", "share"),
    ]
    assert AuditEvent.objects.filter(action="report.consent_record").count() == 1


def test_the_case_owner_records_a_consent(case, report, orgs, staff_client):
    social_worker = make_user("dolisa-sw", Role.SOCIAL_WORKER, orgs.dolisa)
    response = staff_client(social_worker).post(
        url(case, report), {"given_by": "reporter", "scopes": ["contact"], "confirm": "on"}
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert (record.given_by, record.scope, record.recorded_by) == (
        "reporter",
        "contact",
        social_worker,
    )


def test_without_the_confirmation_it_is_a_400(case, report, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(
        url(case, report), {**PARENT, "confirm": ""}
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_without_a_purpose_it_is_a_400(case, report, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(
        url(case, report), {**PARENT, "scopes": []}
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_a_refused_consent_is_a_400_with_the_reason(case, report, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(
        url(case, report), {**PARENT, "scopes": ["contact"]}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_malformed_time_is_a_400(case, report, personas, staff_client):
    response = staff_client(personas["hotline_operator"]).post(
        url(case, report), {**PARENT, "given_at": "yesterday-ish"}
    )
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()


def test_an_agency_on_the_case_that_does_not_coordinate_it_gets_404(
    case, report, personas, staff_client
):
    client = staff_client(personas["police_investigator"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert url(case, report) not in page
    assert client.post(url(case, report), PARENT).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_the_province_coordinator_gets_404(case, report, personas, staff_client):
    # The coordinator sees every case but does not coordinate this one.
    response = staff_client(personas["province_coordinator"]).post(url(case, report), PARENT)
    assert response.status_code == 404


def test_another_agency_gets_404(case, report, personas, staff_client):
    response = staff_client(personas["education_officer"]).post(url(case, report), PARENT)
    assert response.status_code == 404


def test_get_is_not_allowed(case, report, personas, staff_client):
    assert staff_client(personas["hotline_operator"]).get(url(case, report)).status_code == 405


def test_logged_out_goes_to_login(client, case, report):
    target = url(case, report)
    assert client.post(target, PARENT)["Location"] == f"/login/?next={target}"
