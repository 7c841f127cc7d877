"""Statutory clocks: rule versions, extension, suspension, resumption, escalation."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import CaseEventKind, Clock, ClockRule, ClockState, add_period
from childsafe.cases.services import (
    CaseError,
    agency_task_accept,
    agency_task_complete,
    agency_task_reject,
    agency_task_transfer,
    case_close,
    clock_escalate_next,
    clock_extend,
    clock_resume,
    clock_start,
    clock_stop,
    clock_suspend,
    clocks,
)
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.orgs.roles import Role
from childsafe.testing import make_user

VN = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
shipped = importlib.import_module("childsafe.cases.migrations.0004_statutory_clock_rules")


@pytest.fixture
def police_case(orgs):
    with time_machine.travel(START, tick=False):
        return make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])


@pytest.fixture
def clock(police_case):
    return police_case.clocks.get()


@pytest.fixture
def police(personas, orgs):
    """The investigator, with an e-mail address and a supervisor who has one too."""
    user = personas["police_investigator"]
    user.email = "dieutra@ca.example.vn"
    user.supervisor = make_user(
        "truongphong", Role.POLICE_INVESTIGATOR, orgs.district_police, email="tp@ca.example.vn"
    )
    user.save()
    return user


def test_a_crime_report_reaching_the_police_starts_twenty_days(clock):
    assert clock.rule.code == "crime_report"
    assert clock.started_at == START
    assert clock.due_at == START + dt.timedelta(days=20)
    assert clock.state == ClockState.RUNNING
    assert clock.case.events.filter(kind=CaseEventKind.CLOCK_STARTED).exists()


def test_the_rule_version_in_force_on_the_day_applies(orgs, personas):
    case = make_case(owner=orgs.dolisa)
    before = clock_start(
        case,
        rule_code="takedown",
        actor=personas["hotline_operator"],
        now=dt.datetime(2024, 12, 20, 8, 0, tzinfo=VN),
    )
    assert "72/2013" in before.rule.legal_basis
    clock_stop(before, actor=personas["hotline_operator"])
    after = clock_start(
        case,
        rule_code="takedown",
        actor=personas["hotline_operator"],
        now=dt.datetime(2025, 1, 1, 8, 0, tzinfo=VN),
    )
    assert "147/2024" in after.rule.legal_basis
    assert after.due_at - after.started_at == dt.timedelta(hours=24)


def test_a_breach_notice_is_due_in_72_hours(orgs, personas):
    case = make_case(owner=orgs.dolisa)
    clock = clock_start(
        case, rule_code="data_breach", actor=personas["hotline_operator"], now=START
    )
    assert clock.due_at == START + dt.timedelta(hours=72)
    assert "91/2025" in clock.rule.legal_basis
    with pytest.raises(CaseError):  # already running
        clock_start(case, rule_code="data_breach", actor=personas["hotline_operator"])
    with pytest.raises(CaseError):
        clock_start(case, rule_code="no_such_rule", actor=personas["hotline_operator"])


def test_months_are_calendar_months_in_vietnam():
    assert add_period(dt.datetime(2026, 1, 31, 10, tzinfo=VN), 1, "months") == dt.datetime(
        2026, 2, 28, 10, tzinfo=VN
    )
    assert add_period(dt.datetime(2026, 11, 15, 10, tzinfo=VN), 2, "months") == dt.datetime(
        2027, 1, 15, 10, tzinfo=VN
    )
    # 30 November 20:00 UTC is already 1 December in Vietnam.
    late = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)
    assert add_period(late, 1, "months") == dt.datetime(2027, 1, 1, 3, 0, tzinfo=VN)


def test_an_extension_records_who_approved_it(clock, police):
    new_due = clock.due_at + dt.timedelta(days=40)
    clock_extend(
        clock,
        due_at=new_due,
        approved_by="Thủ trưởng Cơ quan CSĐT",
        legal_basis="BLTTHS 2015, Điều 147 khoản 2",
        actor=police,
    )
    clock.refresh_from_db()
    assert (clock.due_at, clock.extensions) == (new_due, 1)
    event = clock.events.get(kind="extended")
    assert (event.approved_by, event.legal_basis, event.recorded_by) == (
        "Thủ trưởng Cơ quan CSĐT",
        "BLTTHS 2015, Điều 147 khoản 2",
        police,
    )
    assert AuditEvent.objects.filter(action="case.clock_extend").exists()


def test_extensions_stay_within_the_rule(clock, police):
    args = {"approved_by": "VKSND tỉnh", "legal_basis": "Điều 147 khoản 3", "actor": police}
    with pytest.raises(CaseError):  # not later than now
        clock_extend(clock, due_at=clock.due_at, **args)
    with pytest.raises(CaseError):  # longer than two months
        clock_extend(clock, due_at=clock.due_at + dt.timedelta(days=70), **args)
    for _ in range(2):
        clock_extend(clock, due_at=clock.due_at + dt.timedelta(days=30), **args)
    with pytest.raises(CaseError):  # two extensions at most
        clock_extend(clock, due_at=clock.due_at + dt.timedelta(days=1), **args)


def test_a_resumed_crime_report_has_one_month(clock, police):
    args = {"approved_by": "Thủ trưởng", "legal_basis": "BLTTHS 2015, Điều 148", "actor": police}
    clock_suspend(clock, now=START + dt.timedelta(days=5), **args)
    assert clock.state == ClockState.SUSPENDED
    with pytest.raises(CaseError):
        clock_suspend(clock, **args)
    resumed_at = dt.datetime(2026, 6, 10, 8, 0, tzinfo=VN)
    clock_resume(clock, now=resumed_at, **{**args, "legal_basis": "Điều 149"})
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == dt.datetime(2026, 7, 10, 8, 0, tzinfo=VN)
    with pytest.raises(CaseError):
        clock_resume(clock, **args)


def test_a_resumed_clock_without_a_resumption_limit_gets_its_time_back(orgs, personas):
    coordinator = personas["province_coordinator"]
    case = make_case(owner=orgs.dolisa)
    clock = clock_start(case, rule_code="data_breach", actor=coordinator, now=START)
    args = {"approved_by": "Giám đốc", "legal_basis": "—", "actor": coordinator}
    clock_suspend(clock, now=START + dt.timedelta(hours=10), **args)
    clock_resume(clock, now=START + dt.timedelta(days=3), **args)
    assert clock.due_at == START + dt.timedelta(days=3, hours=62)


def test_the_clock_follows_a_transfer_and_comes_back_if_refused(
    police_case, clock, orgs, personas
):
    task = clock.agency_task
    new = agency_task_transfer(task, to=orgs.police, actor=personas["police_investigator"])
    clock.refresh_from_db()
    assert clock.agency_task == new
    assert clock.due_at == START + dt.timedelta(days=20)  # the limit runs from first receipt
    chief = make_user("chief", Role.POLICE_INVESTIGATOR, orgs.police)
    agency_task_reject(new, reason="District's matter", actor=chief)
    clock.refresh_from_db()
    assert clock.agency_task == task
    assert clock.state == ClockState.RUNNING


@pytest.mark.parametrize("ending", ["done", "rejected", "closed"])
def test_the_clock_ends_with_the_task_or_the_case(police_case, clock, personas, ending):
    police = personas["police_investigator"]
    task = clock.agency_task
    if ending == "done":
        agency_task_accept(task, actor=police)
        agency_task_complete(task, actor=police)
    elif ending == "rejected":
        agency_task_reject(task, reason="Not a crime", actor=police)
    else:
        case_close(police_case, outcome="no_violation", actor=personas["province_coordinator"])
    clock.refresh_from_db()
    assert clock.state == ClockState.STOPPED
    assert police_case.events.filter(kind=CaseEventKind.CLOCK_STOPPED).exists()


def test_nothing_is_escalated_before_the_due_time(clock):
    with time_machine.travel(clock.due_at - dt.timedelta(minutes=1), tick=False):
        assert clock_escalate_next() is None


def test_an_overdue_clock_goes_to_the_assignee_and_supervisor(
    clock, police, mailoutbox, django_capture_on_commit_callbacks
):
    agency_task_accept(clock.agency_task, actor=police)
    with (
        time_machine.travel(clock.due_at + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert clock_escalate_next() == clock
        assert clock_escalate_next() is None  # once only
    assert sorted(m.to[0] for m in mailoutbox) == ["dieutra@ca.example.vn", "tp@ca.example.vn"]
    mail = mailoutbox[0]
    assert clock.case.reference in mail.subject
    assert f"/cases/{clock.case_id}/" in mail.body
    assert "Giải quyết tố giác" in mail.body
    event = clock.case.events.get(kind=CaseEventKind.CLOCK_OVERDUE)
    assert event.detail["assignee_id"] == police.pk
    assert event.detail["supervisor_id"] == police.supervisor_id
    assert AuditEvent.objects.filter(action="case.clock_escalate").count() == 1


def test_a_task_nobody_accepted_goes_to_the_organisation(
    clock, orgs, mailoutbox, django_capture_on_commit_callbacks
):
    orgs.district_police.email = "congan.tamky@example.vn"
    orgs.district_police.save()
    with (
        time_machine.travel(clock.due_at + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        clock_escalate_next()
    assert [m.to for m in mailoutbox] == [["congan.tamky@example.vn"]]


def test_an_extended_clock_escalates_again_when_it_runs_out(
    clock, police, mailoutbox, django_capture_on_commit_callbacks
):
    agency_task_accept(clock.agency_task, actor=police)
    first_due = clock.due_at
    with django_capture_on_commit_callbacks(execute=True):
        clock_escalate_next(now=first_due + dt.timedelta(hours=1))
        clock.refresh_from_db()
        clock_extend(
            clock,
            due_at=first_due + dt.timedelta(days=30),
            approved_by="Thủ trưởng",
            legal_basis="Điều 147",
            actor=police,
        )
        assert clock_escalate_next(now=first_due + dt.timedelta(days=29)) is None
        assert clock_escalate_next(now=first_due + dt.timedelta(days=31)) == clock
    assert len(mailoutbox) == 4


def test_a_suspended_clock_is_not_escalated(clock, police):
    clock_suspend(clock, approved_by="Thủ trưởng", legal_basis="Điều 148", actor=police)
    assert clock_escalate_next(now=clock.due_at + dt.timedelta(days=5)) is None


def test_a_clock_claimed_by_another_worker_is_skipped(clock, monkeypatch):
    later = make_case(
        owner=clock.case.owner, tasks=[(clock.agency_task.organisation, "crime_reports")]
    )
    other = later.clocks.get()
    now = max(clock.due_at, other.due_at) + dt.timedelta(days=1)
    real_atomic = clocks.transaction.atomic
    calls = []

    def atomic_after_another_worker(*args, **kwargs):
        if not calls:  # between our SELECT and our UPDATE, another worker claims it
            Clock.objects.filter(pk=clock.pk).update(escalated_at=now)
        calls.append(1)
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(clocks.transaction, "atomic", atomic_after_another_worker)
    assert clock_escalate_next(now=now) == other
    assert not clock.events.filter(kind="escalated").exists()


def test_the_shipped_rules_are_versions_with_dates(db):
    takedown = list(ClockRule.objects.filter(code="takedown").order_by("effective_from"))
    assert [r.effective_to for r in takedown] == [dt.date(2024, 12, 24), None]
    assert takedown[1].effective_from == dt.date(2024, 12, 25)
    crime = ClockRule.objects.get(code="crime_report")
    assert (crime.period_value, crime.period_unit, crime.function) == (20, "days", "crime_reports")
    assert (crime.resume_value, crime.resume_unit) == (1, "months")


def test_shipping_the_rules_again_changes_nothing(db):
    before = sorted(ClockRule.objects.values_list("pk", "code", "effective_from"))
    shipped.add_rules(apps, None)
    assert sorted(ClockRule.objects.values_list("pk", "code", "effective_from")) == before
