"""Statutory clocks: start from the rule version in force, extend, suspend, resume, end,
and escalate the overdue ones (a worker job).

A task for a function starts the clocks whose rule names that function (a crime report
reaching the police starts the 20-day clock). The clock follows the task through a
transfer and ends when the task is done, rejected or withdrawn, or the case closes.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    AgencyTask,
    Case,
    CaseEventKind,
    Clock,
    ClockEvent,
    ClockEventKind,
    ClockRule,
    ClockState,
    add_period,
)
from childsafe.cases.services.common import CaseError, record_audit, record_event, require_open
from childsafe.orgs.models import User

log = logging.getLogger(__name__)


def _clock_event(
    clock: Clock,
    kind: str,
    *,
    now: dt.datetime,
    actor: Any = None,
    approved_by: str = "",
    legal_basis: str = "",
) -> None:
    ClockEvent.objects.create(
        clock=clock,
        kind=kind,
        at=now,
        recorded_by=actor if isinstance(actor, User) else None,
        approved_by=approved_by,
        legal_basis=legal_basis,
        due_at=clock.due_at,
    )


def _start(
    case: Case, rule: ClockRule, *, now: dt.datetime, task: AgencyTask | None, actor: Any
) -> Clock:
    clock = Clock.objects.create(
        case=case, agency_task=task, rule=rule, started_at=now, due_at=rule.due_from(now)
    )
    _clock_event(clock, ClockEventKind.STARTED, now=now, actor=actor)
    record_event(
        case,
        CaseEventKind.CLOCK_STARTED,
        actor=actor,
        at=now,
        organisation=task.organisation if task else None,
        clock_id=clock.pk,
        rule=rule.code,
    )
    return clock


def _has_open_clock(case: Case, code: str) -> bool:
    return Clock.objects.filter(case=case, rule__code=code, stopped_at__isnull=True).exists()


def clocks_start_for_task(task: AgencyTask, *, now: dt.datetime) -> list[Clock]:
    """Start the clocks a task's function calls for (one per rule code and case)."""
    rules = ClockRule.objects.in_force_on(timezone.localdate(now)).filter(function=task.function)
    return [
        _start(task.case, rule, now=now, task=task, actor=None)
        for rule in rules
        if not _has_open_clock(task.case, rule.code)
    ]


def clock_start(
    case: Case, *, rule_code: str, actor: User, now: dt.datetime | None = None
) -> Clock:
    """Start a clock by hand (a personal-data breach to notify within 72 hours)."""
    now = now or timezone.now()
    rule = ClockRule.objects.in_force_on(timezone.localdate(now)).filter(code=rule_code).first()
    if rule is None:
        raise CaseError(_("No time-limit rule with this code is in force."))
    with transaction.atomic():
        require_open(case)
        if _has_open_clock(case, rule.code):
            raise CaseError(_("This time limit is already running on the case."))
        clock = _start(case, rule, now=now, task=None, actor=actor)
        record_audit("case.clock_start", actor=actor, obj=clock, case_id=case.pk, rule=rule.code)
    return clock


def clocks_follow_task(old: AgencyTask, new: AgencyTask) -> None:
    """A transfer (or a refused transfer) carries the open clocks to the other task."""
    Clock.objects.filter(agency_task=old, stopped_at__isnull=True).update(agency_task=new)


def _stop(clock: Clock, *, now: dt.datetime, actor: Any) -> None:
    if Clock.objects.filter(pk=clock.pk, stopped_at__isnull=True).update(stopped_at=now) == 1:
        clock.stopped_at = now
        _clock_event(clock, ClockEventKind.STOPPED, now=now, actor=actor)
        record_event(
            clock.case,
            CaseEventKind.CLOCK_STOPPED,
            actor=actor,
            at=now,
            clock_id=clock.pk,
            is_late=now > clock.due_at,
        )


def clocks_stop_for_task(task: AgencyTask, *, now: dt.datetime, actor: Any) -> None:
    for clock in Clock.objects.filter(agency_task=task, stopped_at__isnull=True):
        _stop(clock, now=now, actor=actor)


def clocks_stop_for_case(case: Case, *, now: dt.datetime, actor: Any) -> None:
    for clock in Clock.objects.filter(case=case, stopped_at__isnull=True):
        _stop(clock, now=now, actor=actor)


def clock_stop(clock: Clock, *, actor: User, now: dt.datetime | None = None) -> Clock:
    """End a clock by hand: the matter it times was resolved (or the notice sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        if clock.state == ClockState.STOPPED:
            raise CaseError(_("This time limit has already ended."))
        _stop(clock, now=now, actor=actor)
        record_audit("case.clock_stop", actor=actor, obj=clock, case_id=clock.case_id)
    return clock


def clock_extend(
    clock: Clock,
    *,
    due_at: dt.datetime,
    approved_by: str,
    legal_basis: str,
    actor: User,
    now: dt.datetime | None = None,
) -> Clock:
    """Move the due time later, within what the rule allows (how many times, how long)."""
    now = now or timezone.now()
    rule = clock.rule
    if clock.state != ClockState.RUNNING:
        raise CaseError(_("Only a running time limit can be extended."))
    if clock.extensions >= rule.max_extensions:
        raise CaseError(_("The rule allows no more extensions of this time limit."))
    if due_at <= clock.due_at:
        raise CaseError(_("An extension must end after the current due time."))
    if due_at > rule.latest_extension(clock.due_at):
        raise CaseError(_("The extension is longer than the rule allows."))
    with transaction.atomic():
        moved = Clock.objects.filter(
            pk=clock.pk, extensions=clock.extensions, due_at=clock.due_at, stopped_at__isnull=True
        ).update(due_at=due_at, extensions=clock.extensions + 1, escalated_at=None)
        if moved != 1:
            raise CaseError(_("The time limit changed meanwhile: try again."))
        clock.refresh_from_db()
        _clock_event(
            clock,
            ClockEventKind.EXTENDED,
            now=now,
            actor=actor,
            approved_by=approved_by,
            legal_basis=legal_basis,
        )
        record_event(
            clock.case, CaseEventKind.CLOCK_EXTENDED, actor=actor, at=now, clock_id=clock.pk
        )
        record_audit("case.clock_extend", actor=actor, obj=clock, due_at=due_at.isoformat())
    return clock


def clock_suspend(
    clock: Clock,
    *,
    approved_by: str,
    legal_basis: str,
    actor: User,
    now: dt.datetime | None = None,
) -> Clock:
    now = now or timezone.now()
    with transaction.atomic():
        paused = Clock.objects.filter(
            pk=clock.pk, stopped_at__isnull=True, suspended_at__isnull=True
        ).update(suspended_at=now)
        if paused != 1:
            raise CaseError(_("Only a running time limit can be suspended."))
        clock.refresh_from_db()
        _clock_event(
            clock,
            ClockEventKind.SUSPENDED,
            now=now,
            actor=actor,
            approved_by=approved_by,
            legal_basis=legal_basis,
        )
        record_event(
            clock.case, CaseEventKind.CLOCK_SUSPENDED, actor=actor, at=now, clock_id=clock.pk
        )
        record_audit("case.clock_suspend", actor=actor, obj=clock)
    return clock


def clock_resume(
    clock: Clock,
    *,
    approved_by: str,
    legal_basis: str,
    actor: User,
    now: dt.datetime | None = None,
) -> Clock:
    """Restart a suspended clock: the rule's time limit after resumption if it has one
    (one month for a crime report), else the time that was left when it stopped."""
    now = now or timezone.now()
    if clock.state != ClockState.SUSPENDED or clock.suspended_at is None:
        raise CaseError(_("Only a suspended time limit can be resumed."))
    rule = clock.rule
    if rule.resume_value is not None:
        due_at = add_period(now, rule.resume_value, rule.resume_unit)
    else:
        due_at = now + (clock.due_at - clock.suspended_at)
    with transaction.atomic():
        resumed = Clock.objects.filter(
            pk=clock.pk, stopped_at__isnull=True, suspended_at=clock.suspended_at
        ).update(suspended_at=None, due_at=due_at, escalated_at=None)
        if resumed != 1:
            raise CaseError(_("The time limit changed meanwhile: try again."))
        clock.refresh_from_db()
        _clock_event(
            clock,
            ClockEventKind.RESUMED,
            now=now,
            actor=actor,
            approved_by=approved_by,
            legal_basis=legal_basis,
        )
        record_event(
            clock.case, CaseEventKind.CLOCK_RESUMED, actor=actor, at=now, clock_id=clock.pk
        )
        record_audit("case.clock_resume", actor=actor, obj=clock, due_at=due_at.isoformat())
    return clock


# --- Escalation (a worker job) ---------------------------------------------------------


def _overdue(now: dt.datetime) -> Any:
    return Clock.objects.filter(
        stopped_at__isnull=True,
        suspended_at__isnull=True,
        escalated_at__isnull=True,
        due_at__lt=now,
    )


def clock_escalate_next(*, now: dt.datetime | None = None) -> Clock | None:
    """Escalate the clock most overdue and not yet escalated; ``None`` if none is.

    The assignee of the task gets an e-mail, and so does their supervisor; a task no one
    has accepted yet goes to the receiving organisation's office address. An extension or
    a resumption makes the clock escalate again when it next runs out.
    """
    now = now or timezone.now()
    while True:
        clock_id = _overdue(now).order_by("due_at", "pk").values_list("pk", flat=True).first()
        if clock_id is None:
            return None
        with transaction.atomic():
            if _overdue(now).filter(pk=clock_id).update(escalated_at=now) != 1:
                continue  # another worker took it
            clock = Clock.objects.select_related(
                "case",
                "rule",
                "agency_task__organisation",
                "agency_task__assignee__supervisor",
            ).get(pk=clock_id)
            _escalate(clock, now=now)
            return clock


def _escalate(clock: Clock, *, now: dt.datetime) -> None:
    task = clock.agency_task
    assignee = task.assignee if task else None
    supervisor = assignee.supervisor if assignee else None
    _clock_event(clock, ClockEventKind.ESCALATED, now=now)
    record_event(
        clock.case,
        CaseEventKind.CLOCK_OVERDUE,
        at=now,
        organisation=task.organisation if task else clock.case.owner,
        clock_id=clock.pk,
        assignee_id=assignee.pk if assignee else None,
        supervisor_id=supervisor.pk if supervisor else None,
    )
    record_audit(
        "case.clock_escalate",
        actor=None,
        obj=clock,
        case_id=clock.case_id,
        assignee_id=assignee.pk if assignee else None,
        supervisor_id=supervisor.pk if supervisor else None,
    )
    messages: list[tuple[str, str]] = []
    with translation.override(settings.LANGUAGE_CODE):
        if assignee is not None and assignee.email:
            messages.append((assignee.email, _("You are assigned to this case.")))
        if supervisor is not None and supervisor.email:
            messages.append(
                (
                    supervisor.email,
                    _("You supervise %(name)s, who is assigned to this case.")
                    % {"name": assignee},
                )
            )
        if assignee is None:
            org = task.organisation if task else clock.case.owner
            if org is not None and org.email:
                messages.append((org.email, _("Nobody in your organisation has taken it on.")))
        mails = [_overdue_mail(clock, to, why) for to, why in messages]
    if not mails:
        log.warning("overdue clock %s on case %s: nobody to e-mail", clock.pk, clock.case_id)
    for subject, body, to in mails:
        transaction.on_commit(functools.partial(_send, subject, body, to))


def _overdue_mail(clock: Clock, to: str, why: str) -> tuple[str, str, str]:
    """Subject and body name the case and the rule only: no personal data in e-mail."""
    due = timezone.localtime(clock.due_at).strftime("%d/%m/%Y %H:%M")
    subject = _("[ChildSafe] Time limit passed: case %(ref)s") % {"ref": clock.case.reference}
    body = "\n".join(
        [
            _("The time limit “%(rule)s” on case %(ref)s passed on %(due)s.")
            % {"rule": clock.rule.name, "ref": clock.case.reference, "due": due},
            _("Legal basis: %(basis)s") % {"basis": clock.rule.legal_basis},
            why,
            _("Open the case: %(path)s")
            % {"path": reverse("cases-case-detail", args=[clock.case_id])},
        ]
    )
    return subject, body, to


def _send(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        # The escalation is recorded; a mail server outage must not stop the worker.
        log.exception("could not send the overdue notice for a case")
