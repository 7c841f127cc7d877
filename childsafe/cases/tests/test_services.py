"""The services that work a case: agency tasks, notes, tasks, decisions, closing, rules."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import (
    AgencyTask,
    AgencyTaskStatus,
    CaseEventKind,
    CaseStatus,
    Decision,
    DecisionKind,
    Note,
    OutcomeCode,
    RoutingRule,
)
from childsafe.cases.services import (
    CaseError,
    agency_task_accept,
    agency_task_complete,
    agency_task_reject,
    agency_task_transfer,
    case_close,
    case_route,
    case_task_add,
    case_task_complete,
    case_triage_confirm,
    decision_add,
    note_add,
    routing_rule_create,
    routing_rule_set_active,
)
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function


@pytest.fixture
def case(orgs):
    return make_case(
        owner=orgs.dolisa,
        tasks=[(orgs.ict, Function.TAKEDOWN), (orgs.district_police, Function.CRIME_REPORTS)],
    )


def task_of(case, org):
    return case.agency_tasks.get(organisation=org)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_confirming_triage_sets_priority_and_status(case, personas):
    case_triage_confirm(case, priority=90, actor=personas["hotline_operator"])
    case.refresh_from_db()
    assert (case.status, case.priority) == (CaseStatus.TRIAGED, 90)
    assert kinds(case)[-2:] == [CaseEventKind.PRIORITY_CHANGED, CaseEventKind.TRIAGED]
    assert case.events.get(kind=CaseEventKind.PRIORITY_CHANGED).detail == {"old": 50, "new": 90}
    assert AuditEvent.objects.filter(action="case.triage_confirm").exists()


def test_accepting_makes_the_case_in_progress(case, orgs, personas):
    police = personas["police_investigator"]
    task = agency_task_accept(task_of(case, orgs.district_police), actor=police)
    assert task.status == AgencyTaskStatus.ACCEPTED
    assert (task.accepted_by, task.assignee) == (police, police)
    assert task.accepted_at is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert kinds(case)[-1] == CaseEventKind.TASK_ACCEPTED
    assert AuditEvent.objects.get(action="case.task_accept").object_id == str(task.pk)


def test_a_task_is_accepted_once(case, orgs, personas):
    task = task_of(case, orgs.ict)
    agency_task_accept(task, actor=personas["ict_officer"])
    with pytest.raises(CaseError):
        agency_task_accept(task, actor=personas["ict_officer"])


def test_rejecting_needs_a_reason(case, orgs, personas):
    task = task_of(case, orgs.ict)
    with pytest.raises(CaseError):
        agency_task_reject(task, reason="  ", actor=personas["ict_officer"])
    agency_task_reject(task, reason="No URL to take down", actor=personas["ict_officer"])
    task.refresh_from_db()
    assert task.status == AgencyTaskStatus.REJECTED
    assert task.rejection_reason == "No URL to take down"
    assert task.rejected_by == personas["ict_officer"]


def test_an_accepted_task_cannot_be_rejected(case, orgs, personas):
    task = task_of(case, orgs.ict)
    agency_task_accept(task, actor=personas["ict_officer"])
    with pytest.raises(CaseError):
        agency_task_reject(task, reason="changed my mind", actor=personas["ict_officer"])


def test_a_transfer_waits_for_the_receiver(case, orgs, personas):
    task = task_of(case, orgs.district_police)
    new = agency_task_transfer(task, to=orgs.police, actor=personas["police_investigator"])
    task.refresh_from_db()
    assert task.status == AgencyTaskStatus.TRANSFERRED
    assert (new.organisation, new.function, new.status) == (
        orgs.police,
        Function.CRIME_REPORTS,
        AgencyTaskStatus.PROPOSED,
    )
    assert new.transferred_from == task
    assert kinds(case)[-1] == CaseEventKind.TASK_TRANSFERRED


def test_a_refused_transfer_comes_back(case, orgs, personas):
    task = task_of(case, orgs.ict)
    agency_task_accept(task, actor=personas["ict_officer"])
    new = agency_task_transfer(task, to=orgs.education, actor=personas["ict_officer"])
    agency_task_reject(new, reason="Not a school matter", actor=personas["education_officer"])
    task.refresh_from_db()
    assert task.status == AgencyTaskStatus.ACCEPTED


def test_no_transfer_to_oneself(case, orgs, personas):
    with pytest.raises(CaseError):
        agency_task_transfer(task_of(case, orgs.ict), to=orgs.ict, actor=personas["ict_officer"])


def test_only_an_accepted_task_is_done(case, orgs, personas):
    task = task_of(case, orgs.ict)
    with pytest.raises(CaseError):
        agency_task_complete(task, actor=personas["ict_officer"])
    agency_task_accept(task, actor=personas["ict_officer"])
    agency_task_complete(task, actor=personas["ict_officer"])
    task.refresh_from_db()
    assert task.status == AgencyTaskStatus.DONE
    assert task.done_at is not None


def test_referring_proposes_a_task_to_the_function_holder(case, orgs, personas):
    task = case_route(case, function=Function.COUNSELLING, actor=personas["hotline_operator"])
    assert (task.organisation, task.status) == (orgs.facility, AgencyTaskStatus.PROPOSED)
    assert task.proposed_by == personas["hotline_operator"]
    with pytest.raises(CaseError):  # already open for that agency
        case_route(case, function=Function.COUNSELLING, actor=personas["hotline_operator"])


def test_referring_to_a_function_nobody_holds_fails(case, personas):
    with pytest.raises(CaseError):
        case_route(case, function=Function.ADJUDICATION, actor=personas["hotline_operator"])


def test_a_note_belongs_to_the_authors_organisation(case, orgs, personas):
    note = note_add(
        case,
        text="Suspect uses two accounts",
        is_shared=False,
        actor=personas["police_investigator"],
    )
    assert note.organisation == orgs.district_police
    assert Note.objects.get().text == "Suspect uses two accounts"
    event = case.events.get(kind=CaseEventKind.NOTE_ADDED)
    assert event.detail == {"note_id": note.pk, "shared": False}  # no text on the timeline


def test_a_task_is_for_someone_of_ones_own_organisation(case, personas):
    with pytest.raises(CaseError):
        case_task_add(
            case,
            title="Call the school",
            assignee=personas["education_officer"],
            due_at=None,
            actor=personas["ict_officer"],
        )
    task = case_task_add(
        case,
        title="Call the platform",
        assignee=personas["ict_officer"],
        due_at=None,
        actor=personas["ict_officer"],
    )
    case_task_complete(task, actor=personas["ict_officer"])
    with pytest.raises(CaseError):
        case_task_complete(task, actor=personas["ict_officer"])


def test_a_decision_is_recorded(case, personas):
    decision = decision_add(
        case,
        kind=DecisionKind.INVESTIGATION_OPENED,
        text="QĐ 12/2026",
        actor=personas["police_investigator"],
    )
    assert Decision.objects.get().text == "QĐ 12/2026"
    assert case.events.get(kind=CaseEventKind.DECISION).detail == {
        "decision_id": decision.pk,
        "kind": "investigation_opened",
    }


def test_closing_withdraws_tasks_nobody_took(case, orgs, personas):
    coordinator = personas["province_coordinator"]
    case_close(case, outcome=OutcomeCode.DUPLICATE, text="Same as CS-1", actor=coordinator)
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, OutcomeCode.DUPLICATE)
    assert case.closed_at is not None
    assert set(case.agency_tasks.values_list("status", flat=True)) == {AgencyTaskStatus.WITHDRAWN}
    assert Decision.objects.get(case=case).kind == DecisionKind.CLOSURE
    assert AuditEvent.objects.get(action="case.close").detail["outcome"] == "duplicate"


def test_closing_waits_for_agencies_still_working(case, orgs, personas):
    task = task_of(case, orgs.ict)
    agency_task_accept(task, actor=personas["ict_officer"])
    with pytest.raises(CaseError):
        case_close(
            case, outcome=OutcomeCode.CONTENT_REMOVED, actor=personas["province_coordinator"]
        )
    agency_task_complete(task, actor=personas["ict_officer"])
    case_close(case, outcome=OutcomeCode.CONTENT_REMOVED, actor=personas["province_coordinator"])


def test_a_closed_case_takes_no_more_work(case, orgs, personas):
    case_close(case, outcome=OutcomeCode.NO_VIOLATION, actor=personas["province_coordinator"])
    case.refresh_from_db()
    with pytest.raises(CaseError):
        note_add(case, text="late", is_shared=False, actor=personas["ict_officer"])
    with pytest.raises(CaseError):
        case_close(case, outcome=OutcomeCode.OTHER, actor=personas["province_coordinator"])
    with pytest.raises(CaseError):
        case_triage_confirm(case, priority=1, actor=personas["province_coordinator"])


def test_routing_rules_are_created_and_switched_with_audit(personas):
    coordinator = personas["province_coordinator"]
    rule = routing_rule_create(
        category="scam", function=Function.CHILD_PROTECTION, priority_boost=5, actor=coordinator
    )
    routing_rule_set_active(rule, is_active=False, actor=coordinator)
    assert not RoutingRule.objects.get(pk=rule.pk).is_active
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["routing_rule.create", "routing_rule.deactivate"]


def test_only_one_open_task_per_agency_and_function(case, orgs):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyTask.objects.create(case=case, organisation=orgs.ict, function=Function.TAKEDOWN)


def test_the_reporter_follows_the_case(case, orgs, personas):
    report = case.case_reports.get().report
    agency_task_accept(task_of(case, orgs.ict), actor=personas["ict_officer"])
    report.refresh_from_db()
    assert report.public_status == "forwarded"
    agency_task_complete(task_of(case, orgs.ict), actor=personas["ict_officer"])
    case_close(case, outcome=OutcomeCode.CONTENT_REMOVED, actor=personas["province_coordinator"])
    report.refresh_from_db()
    assert report.public_status == "closed"
