"""Statutory clocks: start from the rule version in force, extend, suspend, resume, end,
and escalate the overdue ones (a worker job).

A task for a function starts the clocks whose rule names that function (a crime report
reaching the police starts the 20-day clock). The clock follows the task through a
transfer and ends when the task is done, rejected or withdrawn, or the case closes.
Extensions follow the rule version's steps (``ClockRule.allowed_extensions``).
Resuming a clock starts the rules that name it in ``starts_on_resume_of`` for the same
task (the 3-day notice of a resumed crime report), ended by hand once met.
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
    SuspensionGround,
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
    ground: str = "",
) -> None:
    ClockEvent.objects.create(
        clock=clock,
        kind=kind,
        at=now,
        recorded_by=actor if isinstance(actor, User) else None,
        approved_by=approved_by,
        legal_basis=legal_basis,
        ground=ground,
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
    if rule.function or rule.starts_on_resume_of:
        raise CaseError(_("This time limit starts by itself; it cannot be started by hand."))
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
    """End a clock by hand: the notice it times was sent. A clock a task started ends
    with the task (done, rejected, withdrawn) or the case."""
    now = now or timezone.now()
    with transaction.atomic():
        if clock.state == ClockState.STOPPED:
            raise CaseError(_("This time limit has already ended."))
        if not clock.rule.ends_by_hand:
            raise CaseError(_("This time limit ends when the agency's task is done."))
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
    """Move the due time later, within the rule's next extension step: how many
    extensions, and how far each may reach (from the start or past the due time)."""
    now = now or timezone.now()
    if clock.state != ClockState.RUNNING:
        raise CaseError(_("Only a running time limit can be extended."))
    step = clock.next_extension()
    if step is None:
        raise CaseError(_("The rule allows no more extensions of this time limit."))
    latest = step.latest(started_at=clock.started_at, due_at=clock.due_at)
    if latest <= clock.due_at:
        raise CaseError(
            _("This time limit already runs until %(latest)s, the most this extension allows.")
            % {"latest": local_text(latest)}
        )
    if due_at <= clock.due_at:
        raise CaseError(_("An extension must end after the current due time."))
    if due_at > latest:
        raise CaseError(
            _(
                "The extension is longer than the rule allows: extension %(number)s may "
                "run until %(latest)s at most (%(limit)s)."
            )
            % {"number": step.number, "latest": local_text(latest), "limit": step.limit_label}
        )
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
        record_audit(
            "case.clock_extend",
            actor=actor,
            obj=clock,
            due_at=due_at.isoformat(),
            extension=step.number,
        )
    return clock


def clock_suspend(
    clock: Clock,
    *,
    ground: str,
    approved_by: str,
    legal_basis: str,
    actor: User,
    now: dt.datetime | None = None,
) -> Clock:
    """Stop the count while the matter waits (art. 148: an expert assessment, mutual
    legal assistance, documents requested from others), with the ground recorded."""
    now = now or timezone.now()
    if ground not in SuspensionGround.values:
        raise CaseError(_("Choose the ground for the suspension."))
    if clock.rule.starts_on_resume_of:
        raise CaseError(_("A notice's time limit is not suspended: send the notice."))
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
            ground=ground,
        )
        record_event(
            clock.case,
            CaseEventKind.CLOCK_SUSPENDED,
            actor=actor,
            at=now,
            clock_id=clock.pk,
            ground=ground,
        )
        record_audit("case.clock_suspend", actor=actor, obj=clock, ground=ground)
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
    (one month for a crime report, art. 149(1)), else the time that was left when it
    stopped. Starts the rules due on this resumption (the 3-day notice of art. 149(2))."""
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
        notices = ClockRule.objects.in_force_on(timezone.localdate(now)).filter(
            starts_on_resume_of=rule.code
        )
        for notice in notices:
            if not _has_open_clock(clock.case, notice.code):
                _start(clock.case, notice, now=now, task=clock.agency_task, actor=actor)
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


def local_text(when: dt.datetime) -> str:
    """A time as people in Vietnam write it: ``31/12/2026 17:00``."""
    return timezone.localtime(when).strftime("%d/%m/%Y %H:%M")


def _overdue_mail(clock: Clock, to: str, why: str) -> tuple[str, str, str]:
    """Subject and body name the case and the rule only: no personal data in e-mail."""
    due = local_text(clock.due_at)
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
