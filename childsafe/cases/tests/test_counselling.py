"""``services.counselling``: sessions and referral outcome, and who sees them."""

from __future__ import annotations

import datetime as dt

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.cases.access import counselling_tasks_for_user
from childsafe.cases.models import CaseEvent, CounsellingSession
from childsafe.cases.services import (
    CaseError,
    counselling_outcome_set,
    counselling_session_add,
)
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function

DAY = dt.date(2026, 3, 2)


def test_the_facility_records_a_session(counselling_task, personas):
    before = CaseEvent.objects.count()
    session = counselling_session_add(
        counselling_task,
        held_on=DAY,
        duration_minutes=45,
        mode="in_person",
        notes="Child talked about the messages",
        actor=personas["social_worker"],
    )
    assert session.notes == "Child talked about the messages"
    assert CaseEvent.objects.count() == before  # nothing on the shared timeline
    audit = AuditEvent.objects.get(action="counselling.session_add")
    assert "messages" not in str(audit.detail)


def test_a_task_not_accepted_is_refused(orgs, personas):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.facility, Function.COUNSELLING)])
    task = case.agency_tasks.get()
    with pytest.raises(CaseError):
        counselling_session_add(
            task, held_on=DAY, duration_minutes=30, mode="phone", actor=personas["social_worker"]
        )
    assert not CounsellingSession.objects.exists()


def test_a_task_that_is_not_counselling_is_refused(orgs, personas):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.ict, Function.TAKEDOWN, "accepted")])
    with pytest.raises(CaseError):
        counselling_outcome_set(
            case.agency_tasks.get(), outcome="support_completed", actor=personas["ict_officer"]
        )


def test_a_zero_length_session_is_refused(counselling_task, personas):
    with pytest.raises(CaseError):
        counselling_session_add(
            counselling_task,
            held_on=DAY,
            duration_minutes=0,
            mode="phone",
            actor=personas["social_worker"],
        )


def test_the_outcome_can_be_revised(counselling_task, personas):
    worker = personas["social_worker"]
    counselling_outcome_set(counselling_task, outcome="lost_contact", actor=worker)
    row = counselling_outcome_set(counselling_task, outcome="support_completed", actor=worker)
    assert row.outcome == "support_completed"
    assert AuditEvent.objects.filter(action="counselling.outcome").count() == 2


def test_only_the_facility_and_the_owner_see_counselling(counselling_case, personas):
    seen = {
        role: bool(counselling_tasks_for_user(user, counselling_case))
        for role, user in personas.items()
    }
    assert {role for role, yes in seen.items() if yes} == {"social_worker", "hotline_operator"}
