"""``services.retention``: anonymising closed cases past their period, legal holds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
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
    agency_task_reject,
    case_close,
    case_retention_sweep,
    case_set_legal_hold,
    case_task_add,
    clock_resume,
    clock_suspend,
    consent_record,
    counselling_outcome_set,
    counselling_session_add,
    decision_add,
    note_add,
)
from childsafe.cases.tests.factories import make_case, make_report, sha256_of
from childsafe.lib.crypto import (
    PREFIX,
    DecryptionError,
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
)
from childsafe.orgs.models import Function
from childsafe.reports.models import (
    ConsentRecord,
    EvidenceBlob,
    EvidenceFile,
    EvidenceView,
    Report,
)
from childsafe.testing import image_bytes

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


# --- Nothing personal is left anywhere, read with raw SQL and decrypted -----------------

CHILD, SCHOOL, REPORTER, CONTACT = "Nguyễn Thị Hoa", "THCS Trần Phú", "Trần Văn Bình", "0905123456"
PERSONAL = (CHILD, SCHOOL, REPORTER, CONTACT, "Hoa", "Bình", "Trần Phú")


def stored_values(*app_labels: str) -> list[str]:
    """Every value in the tables of ``app_labels`` as the database holds it, with
    encrypted text and bytes decrypted (what someone holding the data key could read)."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for label in app_labels:
            for model in django_apps.get_app_config(label).get_models():
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, memoryview | bytes):
                            try:
                                value = decrypt_bytes(bytes(value)).decode("utf-8", "replace")
                            except DecryptionError:
                                value = bytes(value).decode("utf-8", "replace")
                        elif isinstance(value, str) and value.startswith(PREFIX):
                            value = decrypt_text(value)
                        found.append(str(value))
    return found


def leaks(*app_labels: str) -> set[str]:
    values = stored_values(*app_labels)
    return {secret for secret in PERSONAL if any(secret in value for value in values)}


@pytest.fixture
def full_case(orgs, personas, settings):
    """A closed case whose personal data reached every table the case and its reports
    use: report fields, evidence (name and bytes), notes, decisions, to-dos, a rejected
    task's reason, counselling, clocks, consents given at intake and later (one
    withdrawn), a reveal and an unblurred look at the evidence."""
    from childsafe.reports.evidence import evidence_unblur
    from childsafe.reports.services import consent_withdraw, report_reveal

    police = personas["police_investigator"]
    operator = personas["hotline_operator"]
    social = personas["social_worker"]
    report = make_report(
        category="cyberbullying",
        urls=["https://example.com/post/123"],
        child_name=CHILD,
        child_school=SCHOOL,
        reporter_name=REPORTER,
        reporter_contact=CONTACT,
        description=f"{CHILD} học {SCHOOL} bị bắt nạt",
        is_anonymous=False,
        reporter_relation="parent",
        received_at=CLOSED - dt.timedelta(days=30),
    )
    evidence = EvidenceFile.objects.create(
        report=report,
        sha256=sha256_of("img"),
        size=3,
        content_type="image/png",
        original_name=f"{CHILD}.png",
    )
    EvidenceBlob.objects.create(file=evidence, ciphertext=encrypt_bytes(image_bytes("PNG")))
    ConsentRecord.objects.create(report=report, given_by="reporter", scope="process")
    with time_machine.travel(CLOSED - dt.timedelta(days=30), tick=False):
        case = make_case(
            owner=orgs.dolisa,
            category="cyberbullying",
            report=report,
            tasks=[
                (orgs.facility, Function.COUNSELLING, "accepted"),
                (orgs.district_police, Function.CRIME_REPORTS),
                (orgs.education, Function.TRAINING),
            ],
        )
    with time_machine.travel(CLOSED - dt.timedelta(days=10), tick=False):
        agency_task_reject(
            case.agency_tasks.get(function=Function.TRAINING),
            reason=f"{CHILD} không học ở trường của chúng tôi",
            actor=personas["education_officer"],
        )
        clock = case.clocks.get()
        clock_suspend(
            clock,
            ground="documents",
            approved_by="Thủ trưởng",
            legal_basis="Điều 148",
            actor=police,
        )
        clock_resume(clock, approved_by="Thủ trưởng", legal_basis="Điều 149", actor=police)
        note_add(case, text=f"Mẹ của {CHILD} gọi", is_shared=True, actor=operator)
        case_task_add(
            case, title=f"Gọi lại cho {REPORTER}", assignee=None, due_at=None, actor=operator
        )
        decision_add(case, kind="support_plan", text=f"Hỗ trợ {CHILD}", actor=operator)
        counselling = case.agency_tasks.get(function=Function.COUNSELLING)
        counselling_session_add(
            counselling,
            held_on=dt.date(2025, 12, 20),
            duration_minutes=30,
            mode="phone",
            notes=f"{CHILD} khóc",
            outcome=f"{CHILD} ổn hơn",
            actor=social,
        )
        counselling_outcome_set(
            counselling, outcome="support_completed", notes=f"Gia đình {REPORTER}", actor=social
        )
        (parent,) = consent_record(
            report, case=case, given_by="parent", scopes=["process"], actor=operator
        )
        consent_record(report, case=case, given_by="child", scopes=["share"], actor=operator)
        consent_withdraw(parent, actor=operator)
        report_reveal(
            report,
            fields=["child_name", "reporter_contact"],
            reason="Cần liên hệ gia đình để hỗ trợ",
            actor=operator,
        )
        evidence_unblur(evidence, actor=police)
    with time_machine.travel(CLOSED, tick=False):
        case.agency_tasks.exclude(status="rejected").update(status="done")
        case_close(case, outcome="support_delivered", text=f"{CHILD} an toàn", actor=operator)
    case.refresh_from_db()
    return case


def test_the_fixture_does_hold_the_personal_data(full_case):
    assert leaks("cases", "reports") == set(PERSONAL)


def test_after_the_sweep_no_table_of_the_case_holds_its_personal_data(full_case):
    assert case_retention_sweep(now=CLOSED + dt.timedelta(days=731)) == full_case
    assert leaks("cases", "reports", "audit") == set()


def test_the_sweep_keeps_the_consents_views_and_the_trail(full_case):
    consents = list(
        ConsentRecord.objects.order_by("pk").values_list(
            "given_by", "scope", "given_at", "recorded_by", "withdrawn_at"
        )
    )
    views = list(EvidenceView.objects.values_list("user", "at", "exposure_mins"))
    reveals = AuditEvent.objects.filter(action="report.reveal").count()
    case_retention_sweep(now=CLOSED + dt.timedelta(days=731))
    assert (
        list(
            ConsentRecord.objects.order_by("pk").values_list(
                "given_by", "scope", "given_at", "recorded_by", "withdrawn_at"
            )
        )
        == consents
    )
    assert len(consents) == 3
    assert list(EvidenceView.objects.values_list("user", "at", "exposure_mins")) == views
    assert views
    assert AuditEvent.objects.filter(action="report.reveal").count() == reveals == 1
    rejected = full_case.agency_tasks.get(status="rejected")
    assert rejected.rejection_reason == "—"  # the rejection stays, its text goes
    assert full_case.case_tasks.get().title == ""
    assert AuditEvent.objects.get(action="case.anonymise").detail["case_tasks"] == 1
