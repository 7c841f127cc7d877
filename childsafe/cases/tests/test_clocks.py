"""Statutory clocks: rule versions, extension, suspension, resumption, escalation."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.utils import translation

from childsafe.audit.models import AuditEvent
from childsafe.cases.models import (
    CaseEventKind,
    Clock,
    ClockExtensionStep,
    ClockRule,
    ClockState,
    add_period,
)
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
art147 = importlib.import_module("childsafe.cases.migrations.0012_crime_report_extension_steps")
art149 = importlib.import_module("childsafe.cases.migrations.0014_crime_report_resume_notice")


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


def test_a_clock_started_under_the_2018_version_keeps_its_rule(clock, police):
    # The 2018 version (running clocks keep it) allows two extensions of up to two
    # months past the due time each.
    assert clock.rule.effective_from == dt.date(2018, 1, 1)
    args = {"approved_by": "VKSND tỉnh", "legal_basis": "Điều 147 khoản 2", "actor": police}
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
    clock_suspend(clock, ground="expert_assessment", now=START + dt.timedelta(days=5), **args)
    assert clock.state == ClockState.SUSPENDED
    with pytest.raises(CaseError):
        clock_suspend(clock, ground="expert_assessment", **args)
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
    clock_suspend(clock, ground="other", now=START + dt.timedelta(hours=10), **args)
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
    clock_suspend(
        clock, ground="documents", approved_by="Thủ trưởng", legal_basis="Điều 148", actor=police
    )
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
    crime = list(ClockRule.objects.filter(code="crime_report").order_by("effective_from"))
    assert [(r.effective_from, r.effective_to) for r in crime] == [
        (dt.date(2018, 1, 1), dt.date(2026, 11, 30)),
        (dt.date(2026, 12, 1), None),
    ]
    for rule in crime:
        assert (rule.period_value, rule.period_unit, rule.function) == (
            20,
            "days",
            "crime_reports",
        )
        assert (rule.resume_value, rule.resume_unit) == (1, "months")
    assert not crime[0].extension_steps.exists()
    steps = [
        (s.number, s.limit_value, s.limit_unit, s.counted_from)
        for s in crime[1].extension_steps.all()
    ]
    assert steps == [(1, 2, "months", "start"), (2, 2, "months", "due")]
    notice = ClockRule.objects.get(code="crime_report_resume_notice")
    assert (notice.period_value, notice.period_unit) == (3, "days")
    assert (notice.function, notice.starts_on_resume_of) == ("", "crime_report")
    assert "Điều 149" in notice.legal_basis


def test_shipping_the_rules_again_changes_nothing(db):
    def rows():
        return sorted(
            ClockRule.objects.values_list("pk", "code", "effective_from", "effective_to")
        )

    before = rows()
    steps_before = sorted(ClockExtensionStep.objects.values_list("pk", "rule_id", "number"))
    shipped.add_rules(apps, None)
    art147.add_version(apps, None)
    art149.add_rule(apps, None)
    assert rows() == before
    assert sorted(ClockExtensionStep.objects.values_list("pk", "rule_id", "number")) == (
        steps_before
    )


def test_the_new_version_ends_any_open_earlier_version_only(db):
    ClockRule.objects.filter(code="crime_report").delete()
    ClockRule.objects.create(
        code="crime_report",
        name="2018",
        legal_basis="Điều 147",
        period_value=20,
        period_unit="days",
        effective_from=dt.date(2018, 1, 1),
        effective_to=dt.date(2020, 12, 31),
    )
    ClockRule.objects.create(
        code="crime_report",
        name="2021, the province's",
        legal_basis="Điều 147",
        period_value=20,
        period_unit="days",
        effective_from=dt.date(2021, 1, 1),
    )
    art147.add_version(apps, None)
    ends = list(
        ClockRule.objects.filter(code="crime_report")
        .order_by("effective_from")
        .values_list("effective_to", flat=True)
    )
    assert ends == [dt.date(2020, 12, 31), dt.date(2026, 11, 30), None]
    assert (
        ClockExtensionStep.objects.filter(rule__effective_from=dt.date(2026, 12, 1)).count() == 2
    )


# --- Art. 147 under the 2026 version: 20 days, then 2 months from receipt, then the
# --- procuracy's one extension of at most 2 months, and no third.

START_2027 = dt.datetime(2027, 3, 2, 9, 0, tzinfo=VN)
HEAD = {"approved_by": "Thủ trưởng CQCSĐT", "legal_basis": "Điều 147 khoản 2"}
PROCURACY = {"approved_by": "Viện trưởng VKSND tỉnh", "legal_basis": "Điều 147 khoản 2"}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock_2027(orgs):
    with time_machine.travel(START_2027, tick=False):
        case = make_case(owner=orgs.dolisa, tasks=[(orgs.district_police, Function.CRIME_REPORTS)])
    return case.clocks.get()


def test_a_crime_report_received_now_is_due_in_twenty_days(clock_2027):
    assert clock_2027.rule.effective_from == dt.date(2026, 12, 1)
    assert clock_2027.due_at == START_2027 + dt.timedelta(days=20)
    assert clock_2027.latest_extension() == dt.datetime(2027, 5, 2, 9, 0, tzinfo=VN)


def test_the_overdue_clock_escalates_after_twenty_days(clock_2027):
    assert clock_escalate_next(now=START_2027 + dt.timedelta(days=20)) is None
    assert clock_escalate_next(now=START_2027 + dt.timedelta(days=20, minutes=1)) == clock_2027


def test_the_complex_case_extension_reaches_two_months_from_receipt_at_most(
    clock_2027, police, english
):
    two_months = dt.datetime(2027, 5, 2, 9, 0, tzinfo=VN)
    with pytest.raises(CaseError) as refused:
        clock_extend(clock_2027, due_at=two_months + dt.timedelta(minutes=1), **HEAD, actor=police)
    assert "02/05/2027 09:00" in str(refused.value)
    assert "2 months from the start" in str(refused.value)
    clock_2027.refresh_from_db()
    assert (clock_2027.extensions, clock_2027.due_at) == (0, START_2027 + dt.timedelta(days=20))
    clock_extend(clock_2027, due_at=two_months, **HEAD, actor=police)
    clock_2027.refresh_from_db()
    assert (clock_2027.extensions, clock_2027.due_at) == (1, two_months)
    audit = AuditEvent.objects.get(action="case.clock_extend")
    assert audit.detail["extension"] == 1


def test_the_procuracy_extension_adds_two_months_at_most(clock_2027, police):
    after_first = dt.datetime(2027, 4, 11, 9, 0, tzinfo=VN)  # 40 days: less than allowed
    clock_extend(clock_2027, due_at=after_first, **HEAD, actor=police)
    clock_2027.refresh_from_db()
    assert clock_2027.latest_extension() == dt.datetime(2027, 6, 11, 9, 0, tzinfo=VN)
    with pytest.raises(CaseError, match="11/06/2027 09:00"):
        clock_extend(
            clock_2027,
            due_at=dt.datetime(2027, 6, 11, 9, 1, tzinfo=VN),
            **PROCURACY,
            actor=police,
        )
    clock_extend(
        clock_2027, due_at=dt.datetime(2027, 6, 11, 9, 0, tzinfo=VN), **PROCURACY, actor=police
    )
    clock_2027.refresh_from_db()
    assert clock_2027.extensions == 2
    event = clock_2027.events.filter(kind="extended").last()
    assert event.approved_by == PROCURACY["approved_by"]


def test_a_third_extension_is_refused(clock_2027, police, english):
    clock_extend(clock_2027, due_at=dt.datetime(2027, 5, 2, 9, tzinfo=VN), **HEAD, actor=police)
    clock_2027.refresh_from_db()
    clock_extend(
        clock_2027, due_at=dt.datetime(2027, 7, 2, 9, tzinfo=VN), **PROCURACY, actor=police
    )
    clock_2027.refresh_from_db()
    assert not clock_2027.can_extend
    with pytest.raises(CaseError, match="no more extensions"):
        clock_extend(
            clock_2027, due_at=dt.datetime(2027, 7, 3, 9, tzinfo=VN), **PROCURACY, actor=police
        )
    clock_2027.refresh_from_db()
    assert clock_2027.due_at == dt.datetime(2027, 7, 2, 9, tzinfo=VN)


def test_a_resumed_clock_past_the_extension_limit_cannot_be_extended(clock_2027, police, english):
    args = {"approved_by": "Thủ trưởng", "legal_basis": "Điều 148", "actor": police}
    clock_suspend(clock_2027, ground="documents", now=START_2027 + dt.timedelta(days=19), **args)
    clock_resume(clock_2027, now=dt.datetime(2027, 9, 1, 8, tzinfo=VN), **args)
    assert clock_2027.next_extension() is not None  # the first step is unused...
    assert not clock_2027.can_extend  # ...but 2 months from receipt are long gone
    with pytest.raises(CaseError, match="already runs until"):
        clock_extend(
            clock_2027, due_at=dt.datetime(2027, 10, 2, 8, tzinfo=VN), **HEAD, actor=police
        )


# --- Art. 148: the ground of a suspension; art. 149: one month after resumption and the
# --- 3-day notice of the resumption to the procuracy and the reporter.

SUSPEND = {"approved_by": "Thủ trưởng CQCSĐT", "legal_basis": "BLTTHS 2015, Điều 148"}
RESUME = {"approved_by": "Thủ trưởng CQCSĐT", "legal_basis": "BLTTHS 2015, Điều 149"}


def test_a_suspension_records_its_ground(clock, police):
    clock_suspend(clock, ground="legal_assistance", **SUSPEND, actor=police)
    event = clock.events.get(kind="suspended")
    assert event.ground == "legal_assistance"
    timeline = clock.case.events.get(kind=CaseEventKind.CLOCK_SUSPENDED)
    assert timeline.detail["ground"] == "legal_assistance"
    assert AuditEvent.objects.get(action="case.clock_suspend").detail["ground"] == (
        "legal_assistance"
    )


@pytest.mark.parametrize("ground", ["", "because", "OTHER"])
def test_a_suspension_without_a_known_ground_is_refused(clock, police, ground):
    with pytest.raises(CaseError):
        clock_suspend(clock, ground=ground, **SUSPEND, actor=police)
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert not clock.events.filter(kind="suspended").exists()


@pytest.fixture
def resumed(clock_2027, police):
    """The 2027 clock suspended on day 19 and resumed on 1 September 2027 at 08:00."""
    clock_suspend(
        clock_2027,
        ground="expert_assessment",
        now=START_2027 + dt.timedelta(days=19),
        **SUSPEND,
        actor=police,
    )
    clock_resume(clock_2027, now=dt.datetime(2027, 9, 1, 8, tzinfo=VN), **RESUME, actor=police)
    return clock_2027


def test_a_resumed_matter_is_due_within_one_month_of_the_decision(resumed):
    assert resumed.due_at == dt.datetime(2027, 10, 1, 8, tzinfo=VN)


def test_resuming_starts_the_three_day_notice_for_the_same_task(resumed):
    notice = resumed.case.clocks.get(rule__code="crime_report_resume_notice")
    assert notice.agency_task == resumed.agency_task
    assert notice.started_at == dt.datetime(2027, 9, 1, 8, tzinfo=VN)
    assert notice.due_at == dt.datetime(2027, 9, 4, 8, tzinfo=VN)
    assert notice.rule.ends_by_hand
    assert resumed.case.events.filter(kind=CaseEventKind.CLOCK_STARTED).count() == 2


def test_an_unsent_notice_is_escalated_like_any_overdue_time_limit(
    resumed, police, mailoutbox, django_capture_on_commit_callbacks
):
    agency_task_accept(resumed.agency_task, actor=police)
    notice = resumed.case.clocks.get(rule__code="crime_report_resume_notice")
    assert clock_escalate_next(now=dt.datetime(2027, 9, 4, 8, tzinfo=VN)) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert clock_escalate_next(now=dt.datetime(2027, 9, 4, 9, tzinfo=VN)) == notice
    assert sorted(m.to[0] for m in mailoutbox) == ["dieutra@ca.example.vn", "tp@ca.example.vn"]
    assert "Điều 149 khoản 2" in mailoutbox[0].body


def test_a_sent_notice_is_ended_by_hand_and_no_longer_escalated(resumed, police):
    notice = resumed.case.clocks.get(rule__code="crime_report_resume_notice")
    clock_stop(notice, actor=police, now=dt.datetime(2027, 9, 2, 10, tzinfo=VN))
    notice.refresh_from_db()
    assert notice.state == ClockState.STOPPED
    assert clock_escalate_next(now=dt.datetime(2027, 9, 5, 8, tzinfo=VN)) is None
    # The matter's own clock keeps running: it ends with the task.
    resumed.refresh_from_db()
    assert resumed.state == ClockState.RUNNING


def test_a_notice_is_not_suspended(resumed, police):
    notice = resumed.case.clocks.get(rule__code="crime_report_resume_notice")
    with pytest.raises(CaseError):
        clock_suspend(notice, ground="other", **SUSPEND, actor=police)
    notice.refresh_from_db()
    assert notice.state == ClockState.RUNNING


def test_a_second_resumption_starts_no_second_notice_while_one_is_open(resumed, police):
    clock_suspend(
        resumed,
        ground="documents",
        now=dt.datetime(2027, 9, 2, 8, tzinfo=VN),
        **SUSPEND,
        actor=police,
    )
    clock_resume(resumed, now=dt.datetime(2027, 9, 3, 8, tzinfo=VN), **RESUME, actor=police)
    assert resumed.case.clocks.filter(rule__code="crime_report_resume_notice").count() == 1


def test_the_notice_ends_with_the_agency_task(resumed, police):
    agency_task_reject(resumed.agency_task, reason="Not a crime", actor=police)
    assert not resumed.case.clocks.filter(stopped_at__isnull=True).exists()


def test_other_resumed_clocks_start_no_notice(orgs, personas):
    coordinator = personas["province_coordinator"]
    case = make_case(owner=orgs.dolisa)
    clock = clock_start(case, rule_code="data_breach", actor=coordinator)
    clock_suspend(
        clock, ground="other", approved_by="Giám đốc", legal_basis="—", actor=coordinator
    )
    clock_resume(clock, approved_by="Giám đốc", legal_basis="—", actor=coordinator)
    assert case.clocks.count() == 1


def test_a_task_clock_is_not_ended_by_hand(clock, police):
    with pytest.raises(CaseError):
        clock_stop(clock, actor=police)
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING


@pytest.mark.parametrize("code", ["crime_report", "crime_report_resume_notice"])
def test_clocks_that_start_by_themselves_are_not_started_by_hand(orgs, personas, code):
    case = make_case(owner=orgs.dolisa)
    with pytest.raises(CaseError):
        clock_start(case, rule_code=code, actor=personas["hotline_operator"])
    assert not case.clocks.exists()
