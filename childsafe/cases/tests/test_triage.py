"""``case_triage_next``: claiming reports, linking duplicates, priority and routing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from childsafe.audit.models import AuditEvent
from childsafe.cases import services
from childsafe.cases.models import (
    AgencyTask,
    Case,
    CaseEventKind,
    CaseReport,
    CaseStatus,
    RoutingRule,
)
from childsafe.cases.services import case_triage_next, triage
from childsafe.cases.tests.factories import make_case, make_report, sha256_of
from childsafe.orgs.models import AdminUnit, Function, FunctionAssignment, UnitEra, UnitLevel
from childsafe.reports.models import Report

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def routed(case):
    return sorted((t.organisation.code, t.function) for t in case.agency_tasks.all())


def test_nothing_to_triage_answers_none(db):
    assert case_triage_next() is None


def test_it_opens_a_case_for_a_new_report(orgs):
    report = make_report(category="csam", urls=["https://example.com/x"])
    case = case_triage_next(now=NOW)
    assert case is not None
    assert case.reference == f"CS-2026-{case.pk:06d}"
    assert case.category == "csam"
    assert case.status == CaseStatus.NEW
    assert case.owner == orgs.dolisa  # holds child protection
    assert case.opened_at == NOW
    report.refresh_from_db()
    assert report.triaged_at == NOW
    assert CaseReport.objects.get(report=report).case == case
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[:2] == [CaseEventKind.OPENED, CaseEventKind.REPORT_LINKED]
    audit = AuditEvent.objects.get(action="case.triage")
    assert audit.object_id == str(case.pk)
    assert audit.actor_label == "system:worker"
    assert audit.detail["opened"] is True


def test_a_crime_with_urls_goes_to_police_ict_and_counselling(orgs):
    make_report(category="sextortion", urls=["https://example.com/x"])
    case = case_triage_next(now=NOW)
    assert routed(case) == [
        ("ca-qn", Function.CRIME_REPORTS),
        ("stttt-qn", Function.TAKEDOWN),
        ("ttctxh-qn", Function.COUNSELLING),
    ]
    assert set(case.agency_tasks.values_list("status", flat=True)) == {"proposed"}
    assert case.events.filter(kind=CaseEventKind.ROUTED).count() == 3


def test_without_urls_there_is_no_takedown_task(orgs):
    make_report(category="grooming")
    case = case_triage_next(now=NOW)
    assert routed(case) == [("ca-qn", Function.CRIME_REPORTS), ("ttctxh-qn", Function.COUNSELLING)]


def test_privacy_exposure_goes_to_takedown(orgs):
    make_report(category="privacy_exposure", urls=["https://news.example/article"])
    assert routed(case_triage_next(now=NOW)) == [("stttt-qn", Function.TAKEDOWN)]


def test_a_report_no_rule_matches_stays_with_the_coordinator(orgs):
    make_report(category="other")
    case = case_triage_next(now=NOW)
    assert routed(case) == []
    assert case.owner == orgs.dolisa


def test_inactive_rules_are_ignored(orgs):
    RoutingRule.objects.filter(category="csam", function=Function.COUNSELLING).update(
        is_active=False
    )
    make_report(category="csam")
    assert routed(case_triage_next(now=NOW)) == [("ca-qn", Function.CRIME_REPORTS)]


def test_a_function_nobody_holds_is_recorded_on_the_timeline(orgs):
    FunctionAssignment.objects.filter(function=Function.COUNSELLING).delete()
    make_report(category="cyberbullying")
    case = case_triage_next(now=NOW)
    assert routed(case) == []
    event = case.events.get(kind=CaseEventKind.ROUTING_UNRESOLVED)
    assert event.detail == {"function": "counselling"}


def test_a_territory_rule_applies_only_inside_its_territory(orgs):
    province = AdminUnit.objects.create(
        era=UnitEra.PRE_2025, code="49", name="Quảng Nam", level=UnitLevel.PROVINCE, source="t"
    )
    tam_ky = AdminUnit.objects.create(
        era=UnitEra.PRE_2025,
        code="502",
        name="Tam Kỳ",
        level=UnitLevel.DISTRICT,
        parent=province,
        source="t",
    )
    hoi_an = AdminUnit.objects.create(
        era=UnitEra.PRE_2025,
        code="503",
        name="Hội An",
        level=UnitLevel.DISTRICT,
        parent=province,
        source="t",
    )
    FunctionAssignment.objects.create(
        function=Function.SCHOOL_FILTERING, organisation=orgs.education, effective_from=NOW.date()
    )
    RoutingRule.objects.create(
        category="scam", function=Function.SCHOOL_FILTERING, territory=tam_ky, priority_boost=7
    )
    make_report(category="scam", territory=tam_ky, received_at=NOW - dt.timedelta(minutes=2))
    make_report(category="scam", territory=hoi_an, received_at=NOW - dt.timedelta(minutes=1))
    in_tam_ky = case_triage_next(now=NOW)
    in_hoi_an = case_triage_next(now=NOW)
    assert ("sgddt-qn", Function.SCHOOL_FILTERING) in routed(in_tam_ky)
    assert ("sgddt-qn", Function.SCHOOL_FILTERING) not in routed(in_hoi_an)
    assert in_tam_ky.priority == in_hoi_an.priority + 7


def test_the_oldest_report_goes_first(orgs):
    newer = make_report(received_at=NOW - dt.timedelta(minutes=1))
    older = make_report(received_at=NOW - dt.timedelta(hours=1))
    first = case_triage_next(now=NOW)
    assert first.case_reports.get().report == older
    assert case_triage_next(now=NOW).case_reports.get().report == newer
    assert case_triage_next(now=NOW) is None


def test_a_report_with_a_known_url_joins_the_open_case(orgs):
    make_report(category="csam", urls=["https://www.Example.com/x?utm_source=zalo"])
    first = case_triage_next(now=NOW)
    make_report(category="csam", urls=["https://example.com/x#top"], platform="Facebook")
    second = case_triage_next(now=NOW)
    assert second.pk == first.pk
    assert Case.objects.count() == 1
    link = CaseReport.objects.order_by("pk").last()
    assert link.matched_on == "url"
    # No second set of tasks for the same agencies and functions.
    assert AgencyTask.objects.count() == 3
    assert second.priority == first.priority + services.DUPLICATE_BONUS
    assert AuditEvent.objects.filter(
        action="case.triage"
    ).first()  # newest.detail["opened"] is False


def test_a_report_with_a_known_file_joins_the_open_case(orgs):
    make_report(category="cyberbullying", files=[sha256_of("image-1")])
    first = case_triage_next(now=NOW)
    make_report(category="csam", files=[sha256_of("image-1")])
    second = case_triage_next(now=NOW)
    assert second.pk == first.pk
    assert CaseReport.objects.order_by("pk").last().matched_on == "sha256"
    # The more serious category wins, and its routing adds the police.
    assert second.category == "csam"
    assert ("ca-qn", Function.CRIME_REPORTS) in routed(second)


def test_a_closed_case_does_not_take_new_reports(orgs):
    old = make_case(owner=orgs.dolisa, status=CaseStatus.CLOSED, urls=["https://example.com/x"])
    make_report(urls=["https://example.com/x"])
    new = case_triage_next(now=NOW)
    assert new.pk != old.pk


def test_priority_follows_severity_and_danger(orgs):
    make_report(category="csam", received_at=NOW - dt.timedelta(minutes=3))
    make_report(category="cyberbullying", received_at=NOW - dt.timedelta(minutes=2))
    make_report(
        category="cyberbullying", child_in_danger=True, received_at=NOW - dt.timedelta(minutes=1)
    )
    csam, bullying, danger = (case_triage_next(now=NOW) for _ in range(3))
    assert csam.priority > bullying.priority
    assert danger.priority == bullying.priority + services.DANGER_BONUS


def test_a_report_claimed_by_another_worker_is_skipped(orgs, monkeypatch):
    taken = make_report(received_at=NOW - dt.timedelta(hours=1))
    mine = make_report(received_at=NOW)
    real_atomic = transaction.atomic
    calls = []

    def atomic_after_another_worker(*args, **kwargs):
        if not calls:  # between our SELECT and our UPDATE, another worker claims it
            Report.objects.filter(pk=taken.pk).update(triaged_at=timezone.now())
        calls.append(1)
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(triage.transaction, "atomic", atomic_after_another_worker)
    case = case_triage_next(now=NOW)
    assert case.case_reports.get().report == mine
    assert not CaseReport.objects.filter(report=taken).exists()


def test_a_failure_leaves_the_report_for_the_next_pass(orgs, monkeypatch):
    report = make_report()

    def boom(*args, **kwargs):
        raise RuntimeError("routing failed")

    monkeypatch.setattr(triage, "_route", boom)
    with pytest.raises(RuntimeError):
        case_triage_next(now=NOW)
    report.refresh_from_db()
    assert report.triaged_at is None
    assert Case.objects.count() == 0
    monkeypatch.undo()
    assert case_triage_next(now=NOW) is not None


def test_search_text_holds_urls_platform_and_reference(orgs):
    make_report(urls=["https://Example.com/Xâm-hại"], platform="Nhóm Đà Nẵng")
    case = case_triage_next(now=NOW)
    assert case.reference.lower() in case.search_text
    assert "example.com/xam-hai" in case.search_text
    assert "nhom da nang" in case.search_text


def test_the_reporter_sees_the_report_under_review(orgs):
    report = make_report()
    case_triage_next(now=NOW)
    report.refresh_from_db()
    assert report.public_status == "under_review"


def test_a_report_joining_a_case_in_hand_is_forwarded(orgs):
    make_report(urls=["https://example.com/x"])
    case = case_triage_next(now=NOW)
    case.agency_tasks.filter(function=Function.TAKEDOWN).update(status="accepted")
    late = make_report(urls=["https://example.com/x"])
    case_triage_next(now=NOW)
    late.refresh_from_db()
    assert late.public_status == "forwarded"
