"""Working a case: agency tasks, notes, to-dos, decisions, closing; routing rules."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    OPEN_TASK_STATUSES,
    AgencyTask,
    AgencyTaskStatus,
    Case,
    CaseEventKind,
    CaseStatus,
    CaseTask,
    Decision,
    DecisionKind,
    Note,
    RoutingRule,
)
from childsafe.cases.services.clocks import (
    clocks_follow_task,
    clocks_start_for_task,
    clocks_stop_for_case,
    clocks_stop_for_task,
)
from childsafe.cases.services.common import (
    CaseError,
    actor_org,
    record_audit,
    record_event,
    require_open,
    set_public_status,
    transition,
)
from childsafe.orgs.models import AdminUnit, Organisation, User
from childsafe.orgs.services import org_descendant_ids
from childsafe.reports.models import PublicStatus


def propose(
    case: Case,
    org: Organisation,
    function: str,
    *,
    actor: User,
    now: dt.datetime,
    transferred_from: AgencyTask | None = None,
) -> AgencyTask:
    if AgencyTask.objects.filter(
        case=case, organisation=org, function=function, status__in=OPEN_TASK_STATUSES
    ).exists():
        raise CaseError(_("This organisation already has an open task for this function."))
    task = AgencyTask.objects.create(
        case=case,
        organisation=org,
        function=function,
        proposed_at=now,
        proposed_by=actor,
        transferred_from=transferred_from,
    )
    record_event(
        case,
        CaseEventKind.TASK_TRANSFERRED if transferred_from else CaseEventKind.ROUTED,
        actor=actor,
        at=now,
        task_id=task.pk,
        function=function,
        to_organisation_id=org.pk,
        from_task_id=transferred_from.pk if transferred_from else None,
    )
    if transferred_from is not None:
        clocks_follow_task(transferred_from, task)
    else:
        clocks_start_for_task(task, now=now)
    return task


def agency_task_accept(
    task: AgencyTask, *, actor: User, now: dt.datetime | None = None
) -> AgencyTask:
    """The receiving organisation takes the task on; the accepting user becomes its assignee."""
    now = now or timezone.now()
    with transaction.atomic():
        require_open(task.case)
        transition(
            task,
            (AgencyTaskStatus.PROPOSED,),
            _("Only a task waiting for acceptance can be accepted."),
            status=AgencyTaskStatus.ACCEPTED,
            accepted_at=now,
            accepted_by=actor,
            assignee=actor,
        )
        case = task.case
        if case.status in (CaseStatus.NEW, CaseStatus.TRIAGED):
            case.status = CaseStatus.IN_PROGRESS
            case.save(update_fields=["status"])
        record_event(case, CaseEventKind.TASK_ACCEPTED, actor=actor, at=now, task_id=task.pk)
        set_public_status(case, PublicStatus.FORWARDED, actor=actor)
        record_audit("case.task_accept", actor=actor, obj=task, case_id=case.pk)
    return task


def agency_task_reject(
    task: AgencyTask, *, reason: str, actor: User, now: dt.datetime | None = None
) -> AgencyTask:
    """The receiving organisation refuses the task, with a reason.

    Refusing a transfer hands the task back to the organisation that transferred it.
    """
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Give the reason for rejecting the task."))
    with transaction.atomic():
        require_open(task.case)
        transition(
            task,
            (AgencyTaskStatus.PROPOSED,),
            _("Only a task waiting for acceptance can be rejected."),
            status=AgencyTaskStatus.REJECTED,
            rejected_at=now,
            rejected_by=actor,
            rejection_reason=reason,
        )
        record_event(task.case, CaseEventKind.TASK_REJECTED, actor=actor, at=now, task_id=task.pk)
        source = task.transferred_from
        if source is not None and source.status == AgencyTaskStatus.TRANSFERRED:
            back = AgencyTaskStatus.ACCEPTED if source.accepted_at else AgencyTaskStatus.PROPOSED
            AgencyTask.objects.filter(pk=source.pk).update(status=back)
            clocks_follow_task(task, source)
        else:
            clocks_stop_for_task(task, now=now, actor=actor)
        record_audit("case.task_reject", actor=actor, obj=task, case_id=task.case_id)
    return task


def agency_task_transfer(
    task: AgencyTask,
    *,
    to: Organisation,
    actor: User,
    now: dt.datetime | None = None,
) -> AgencyTask:
    """Hand the task to another organisation, which must accept it; returns the new task."""
    now = now or timezone.now()
    if to.pk == task.organisation_id:
        raise CaseError(_("Choose another organisation."))
    with transaction.atomic():
        require_open(task.case)
        transition(
            task,
            OPEN_TASK_STATUSES,
            _("Only an open task can be transferred."),
            status=AgencyTaskStatus.TRANSFERRED,
        )
        new = propose(task.case, to, task.function, actor=actor, now=now, transferred_from=task)
        record_audit(
            "case.task_transfer", actor=actor, obj=task, case_id=task.case_id, to_task_id=new.pk
        )
    return new


def agency_task_complete(
    task: AgencyTask, *, actor: User, now: dt.datetime | None = None
) -> AgencyTask:
    now = now or timezone.now()
    with transaction.atomic():
        require_open(task.case)
        transition(
            task,
            (AgencyTaskStatus.ACCEPTED,),
            _("Only an accepted task can be marked done."),
            status=AgencyTaskStatus.DONE,
            done_at=now,
        )
        record_event(task.case, CaseEventKind.TASK_DONE, actor=actor, at=now, task_id=task.pk)
        clocks_stop_for_task(task, now=now, actor=actor)
        record_audit("case.task_done", actor=actor, obj=task, case_id=task.case_id)
    return task


def note_add(case: Case, *, text: str, is_shared: bool, actor: User) -> Note:
    with transaction.atomic():
        require_open(case)
        note = Note.objects.create(
            case=case,
            organisation=actor_org(actor),
            author=actor,
            text=text,
            is_shared=is_shared,
        )
        record_event(
            case, CaseEventKind.NOTE_ADDED, actor=actor, note_id=note.pk, shared=is_shared
        )
        record_audit("case.note_add", actor=actor, obj=note, case_id=case.pk)
    return note


def case_task_add(
    case: Case,
    *,
    title: str,
    assignee: User | None,
    due_at: dt.datetime | None,
    actor: User,
) -> CaseTask:
    """A to-do for someone of the actor's organisation (or below it)."""
    org = actor_org(actor)
    if assignee is not None and assignee.organisation_id not in org_descendant_ids({org.pk}):
        raise CaseError(_("The assignee must belong to your organisation."))
    with transaction.atomic():
        require_open(case)
        task = CaseTask.objects.create(
            case=case,
            organisation=org,
            title=title,
            assignee=assignee,
            due_at=due_at,
            created_by=actor,
        )
        record_event(case, CaseEventKind.CASE_TASK_ADDED, actor=actor, case_task_id=task.pk)
        record_audit("case.case_task_add", actor=actor, obj=task, case_id=case.pk)
    return task


def case_task_complete(task: CaseTask, *, actor: User, now: dt.datetime | None = None) -> CaseTask:
    now = now or timezone.now()
    with transaction.atomic():
        require_open(task.case)
        if CaseTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now) != 1:
            raise CaseError(_("This task is already done."))
        task.refresh_from_db()
        record_event(
            task.case, CaseEventKind.CASE_TASK_DONE, actor=actor, at=now, case_task_id=task.pk
        )
        record_audit("case.case_task_done", actor=actor, obj=task, case_id=task.case_id)
    return task


def decision_add(case: Case, *, kind: str, text: str, actor: User) -> Decision:
    with transaction.atomic():
        require_open(case)
        decision = Decision.objects.create(
            case=case, organisation=actor.organisation, kind=kind, text=text, decided_by=actor
        )
        record_event(case, CaseEventKind.DECISION, actor=actor, decision_id=decision.pk, kind=kind)
        record_audit("case.decision", actor=actor, obj=decision, case_id=case.pk, kind=kind)
    return decision


def case_close(
    case: Case, *, outcome: str, text: str = "", actor: User, now: dt.datetime | None = None
) -> Case:
    """Close with an outcome code once no agency is still working on the case.

    Tasks that no agency has accepted yet are withdrawn.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        if case.agency_tasks.filter(status=AgencyTaskStatus.ACCEPTED).exists():
            raise CaseError(
                _("Agencies are still working on this case: their tasks must be done first.")
            )
        for task in case.agency_tasks.filter(status=AgencyTaskStatus.PROPOSED):
            transition(
                task,
                (AgencyTaskStatus.PROPOSED,),
                _("The task changed meanwhile: try again."),
                status=AgencyTaskStatus.WITHDRAWN,
            )
            record_event(case, CaseEventKind.TASK_WITHDRAWN, actor=actor, at=now, task_id=task.pk)
        clocks_stop_for_case(case, now=now, actor=actor)
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        case.outcome = outcome
        case.save(update_fields=["status", "closed_at", "outcome"])
        decision = Decision.objects.create(
            case=case,
            organisation=actor.organisation,
            kind=DecisionKind.CLOSURE,
            text=text,
            decided_by=actor,
            decided_at=now,
        )
        record_event(case, CaseEventKind.CLOSED, actor=actor, at=now, outcome=outcome)
        set_public_status(case, PublicStatus.CLOSED, actor=actor)
        record_audit("case.close", actor=actor, obj=case, outcome=outcome, decision_id=decision.pk)
    return case


def routing_rule_create(
    *,
    category: str,
    function: str,
    territory: AdminUnit | None = None,
    requires_url: bool = False,
    priority_boost: int = 0,
    actor: User,
) -> RoutingRule:
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            category=category,
            function=function,
            territory=territory,
            requires_url=requires_url,
            priority_boost=priority_boost,
        )
        record_audit(
            "routing_rule.create",
            actor=actor,
            obj=rule,
            category=category,
            function=function,
            territory_id=rule.territory_id,
            requires_url=requires_url,
            priority_boost=priority_boost,
        )
    return rule


def routing_rule_set_active(rule: RoutingRule, *, is_active: bool, actor: User) -> RoutingRule:
    with transaction.atomic():
        rule.is_active = is_active
        rule.save(update_fields=["is_active"])
        record_audit(
            "routing_rule.activate" if is_active else "routing_rule.deactivate",
            actor=actor,
            obj=rule,
        )
    return rule
