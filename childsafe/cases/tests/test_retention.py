"""``services.retention``: anonymising closed cases past their period, legal holds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import (
    CaseEventKind,
    CounsellingSession,
    Note,
    RetentionRule,
)
from childsafe.cases.services import (
    CaseError,
    case_close,
    case_retention_sweep,
    case_set_legal_hold,
    note_add,
)
from childsafe.cases.tests.factories import make_case, make_report, sha256_of
from childsafe.lib.crypto import encrypt_bytes
from childsafe.orgs.models import Function
from childsafe.reports.models import EvidenceBlob, EvidenceFile, Report

CLOSED = dt.datetime(2026, 1, 10, 8, tzinfo=dt.UTC)


@pytest.fixture
def closed_case(orgs, personas):
    """A cyberbullying case (2 years) with personal data everywhere, closed on CLOSED."""
    report = make_report(
        category="cyberbullying",
        files=[sha256_of("img")],
        child_name="Nguyễn Thị Hoa",
        child_school="THCS Lê Lợi",
        reporter_name="Trần Văn Bình",
        reporter_contact="0905123456",
        description="Bạn cùng lớp đăng ảnh",
    )
    EvidenceBlob.objects.create(file=report.files.get(), ciphertext=encrypt_bytes(b"png"))
    case = make_case(
        owner=orgs.dolisa,
        category="cyberbullying",
        report=report,
        tasks=[(orgs.facility, Function.COUNSELLING, "accepted")],
    )
    CounsellingSession.objects.create(
        agency_task=case.agency_tasks.get(),
        held_on=dt.date(2026, 1, 5),
        duration_minutes=30,
        mode="phone",
        notes="Hoa cried",
        recorded_by=personas["social_worker"],
    )
    with time_machine.travel(CLOSED, tick=False):
        note_add(
            case, text="Hoa's mother called", is_shared=False, actor=personas["hotline_operator"]
        )
        case.agency_tasks.update(status="done")
        case_close(
            case,
            outcome="support_delivered",
            text="Hoa is fine",
            actor=personas["hotline_operator"],
        )
    case.refresh_from_db()
    return case


def test_the_shipped_periods_are_data(db):
    days = dict(RetentionRule.objects.values_list("category", "keep_days"))
    assert days["csam"] == days["grooming"] == days["sextortion"] == 5 * 365 + 1
    assert days["cyberbullying"] == days["other"] == 2 * 365
    assert len(days) == 8


def test_nothing_is_due_before_the_period_ends(closed_case):
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=729)) is None
    assert Report.objects.get().child_name == "Nguyễn Thị Hoa"


def test_it_anonymises_a_case_past_its_period(closed_case):
    with time_machine.travel(CLOSED + dt.timedelta(days=731), tick=False):
        case = case_retention_sweep()
        assert case == closed_case
        assert case.anonymised_at == timezone.now()
    report = Report.objects.get()
    assert (
        report.child_name,
        report.child_school,
        report.reporter_name,
        report.reporter_contact,
        report.description,
    ) == ("", "", "", "", "")
    assert Note.objects.get().text == ""
    assert all(d.text == "" for d in closed_case.decisions.all())
    assert CounsellingSession.objects.get().notes == ""
    assert not EvidenceBlob.objects.exists()
    assert EvidenceFile.objects.get().sha256 == sha256_of("img")  # the hash stays
    assert closed_case.events.filter(kind=CaseEventKind.ANONYMISED).exists()
    audit = AuditEvent.objects.get(action="case.anonymise")
    assert audit.detail["evidence_blobs"] == 1
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=900)) is None  # once only


def test_crimes_are_kept_longer(orgs, personas):
    case = make_case(owner=orgs.dolisa, category="csam", child_name="Hoa")
    with time_machine.travel(CLOSED, tick=False):
        case_close(case, outcome="content_removed", actor=personas["hotline_operator"])
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=3 * 365)) is None
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=5 * 365 + 2)) is not None


def test_a_changed_period_applies(closed_case):
    RetentionRule.objects.filter(category="cyberbullying").update(keep_days=30)
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=31)) == closed_case


def test_open_cases_are_never_anonymised(orgs):
    make_case(owner=orgs.dolisa, category="other", child_name="Hoa")
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=5000)) is None


def test_a_legal_hold_keeps_the_case(closed_case, personas):
    case_set_legal_hold(
        closed_case,
        is_held=True,
        reason="Vụ án 12/2026 đang điều tra",
        actor=personas["police_investigator"],
    )
    later = CLOSED + dt.timedelta(days=800)
    assert case_retention_sweep(now=later) is None
    assert Report.objects.get().child_name == "Nguyễn Thị Hoa"
    case_set_legal_hold(
        closed_case, is_held=False, reason="", actor=personas["province_coordinator"]
    )
    assert case_retention_sweep(now=later) == closed_case
    actions = list(
        AuditEvent.objects.filter(action="case.legal_hold")
        .order_by("seq")
        .values_list("detail", flat=True)
    )
    assert actions == [{"is_held": True}, {"is_held": False}]


def test_a_hold_needs_a_reason_and_an_anonymised_case_takes_none(closed_case, personas):
    police = personas["police_investigator"]
    with pytest.raises(CaseError):
        case_set_legal_hold(closed_case, is_held=True, reason=" ", actor=police)
    with pytest.raises(CaseError):
        case_set_legal_hold(closed_case, is_held=False, reason="", actor=police)
    case_retention_sweep(now=CLOSED + dt.timedelta(days=800))
    with pytest.raises(CaseError):
        case_set_legal_hold(closed_case, is_held=True, reason="late", actor=police)


def test_the_worker_runs_the_sweep(closed_case):
    from childsafe.cases.management.commands.worker import run_jobs

    with time_machine.travel(CLOSED + dt.timedelta(days=731), tick=False):
        assert run_jobs()["retention"] == 1
