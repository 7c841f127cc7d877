"""The case page, and the helpers every action on a case renders or redirects with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from childsafe.audit.services import audit_record
from childsafe.cases.access import (
    can_act_on_clock,
    can_act_on_task,
    can_record_consent,
    case_tasks_for_user,
    counselling_tasks_for_user,
    get_case_for_user,
    notes_for_user,
    poi_matches_for_user,
    staff_user,
)
from childsafe.cases.forms import (
    AssessmentForm,
    CaseTaskForm,
    ClockApprovalForm,
    ClockExtendForm,
    ClockStartForm,
    ClockSuspendForm,
    CloseForm,
    ConsentRecordForm,
    CounsellingOutcomeForm,
    CounsellingSessionForm,
    DecisionForm,
    LegalHoldForm,
    NoteForm,
    RejectForm,
    RouteForm,
    TransferForm,
    TriageForm,
)
from childsafe.cases.models import Case, ClockState
from childsafe.cases.services.content import assessments_for, case_items
from childsafe.orgs.access import staff_required, user_has_perm
from childsafe.orgs.roles import Perm
from childsafe.reports.consent import consent_text
from childsafe.reports.models import Report


def _detail(
    request: HttpRequest, case: Case, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    user = staff_user(request)
    # Model instances below carry their forms and flags to the template (``Any``: they
    # gain attributes the models do not declare).
    tasks: list[Any] = list(case.agency_tasks.select_related("organisation", "assignee"))
    # Each task the user may act on carries its own forms (the one in error, if any).
    failed_task_id = forms.pop("task_id", None)
    for task in tasks:
        task.can_act = can_act_on_task(user, task)
        if task.can_act:
            auto_id = f"id_task{task.pk}_%s"
            failed = failed_task_id == task.pk
            task.reject_form = (
                forms.pop("reject_form")
                if failed and "reject_form" in forms
                else RejectForm(auto_id=auto_id)
            )
            task.transfer_form = (
                forms.pop("transfer_form")
                if failed and "transfer_form" in forms
                else TransferForm(auto_id=auto_id)
            )
    clocks: list[Any] = list(
        case.clocks.select_related("rule", "agency_task__organisation").prefetch_related(
            "events__recorded_by", "rule__extension_steps"
        )
    )
    failed_clock_id = forms.pop("clock_id", None)
    for clock in clocks:
        clock.can_act = can_act_on_clock(user, clock)
        if clock.can_act:
            failed = failed_clock_id == clock.pk
            # The next extension the rule allows, and how far it may reach, on the form.
            clock.extension = clock.next_extension() if clock.can_extend else None
            clock.extension_latest = clock.latest_extension()
            clock.extension_total = len(clock.rule.allowed_extensions())
            initial = {"due_at": clock.due_at}
            if clock.extension is not None:
                initial |= {
                    "approved_by": clock.extension.decided_by,
                    "legal_basis": clock.extension.legal_basis,
                }
            clock.extend_form = (
                forms.pop("extend_form")
                if failed and "extend_form" in forms
                else ClockExtendForm(
                    auto_id=f"id_clock{clock.pk}_extend_%s",
                    initial=initial,
                    latest=clock.extension_latest,
                )
            )
            running = clock.state == ClockState.RUNNING
            approval_form = ClockSuspendForm if running else ClockApprovalForm
            clock.approval_form = (
                forms.pop("approval_form")
                if failed and "approval_form" in forms
                else approval_form(auto_id=f"id_clock{clock.pk}_%s")
            )
    can_work = user_has_perm(user, Perm.CASE_WORK)
    failed_assessment = forms.pop("assessment_form", None)
    items = case_items(case)
    decided = assessments_for(items)
    content = []
    for n, item in enumerate(items):
        row: dict[str, Any] = {"item": item, "assessment": decided.get(item)}
        if row["assessment"] is None and can_work and case.is_open:
            failed = failed_assessment is not None and failed_assessment.data.get("item") == (
                item.token
            )
            row["form"] = (
                failed_assessment
                if failed
                else AssessmentForm(
                    auto_id=f"id_assess{n}_%s",
                    initial={"item": item.token, "category": case.category},
                )
            )
        content.append(row)
    counselling: list[Any] = counselling_tasks_for_user(user, case)
    failed_counselling_id = forms.pop("counselling_task_id", None)
    for task in counselling:
        task.can_record = can_act_on_task(user, task) and case.is_open
        if task.can_record:
            failed = failed_counselling_id == task.pk
            task.session_form = (
                forms.pop("session_form")
                if failed and "session_form" in forms
                else CounsellingSessionForm(auto_id=f"id_task{task.pk}_session_%s")
            )
            task.outcome_form = (
                forms.pop("outcome_form")
                if failed and "outcome_form" in forms
                else CounsellingOutcomeForm(auto_id=f"id_task{task.pk}_referral_%s")
            )
    reports: list[Any] = list(
        Report.objects.filter(case_link__case=case)
        .prefetch_related("urls", "files", "consents")
        .order_by("received_at")
    )
    can_consent = can_record_consent(user, case) and case.is_open
    failed_report_id = forms.pop("report_id", None)
    for report in reports:
        if can_consent:
            failed = failed_report_id == report.pk
            report.consent_form = (
                forms.pop("consent_form")
                if failed and "consent_form" in forms
                else ConsentRecordForm(auto_id=f"id_consent{report.pk}_%s")
            )
    context = {
        "case": case,
        "error": error,
        "now": timezone.now(),
        "clocks": clocks,
        "clock_start_form": ClockStartForm(),
        "reports": reports,
        "can_record_consent": can_consent,
        "consent_text": consent_text(),
        "content": content,
        "counselling": counselling,
        "agency_tasks": tasks,
        "events": case.events.select_related("actor", "organisation"),
        "notes": notes_for_user(user, case).select_related("author", "organisation"),
        "case_tasks": case_tasks_for_user(user, case).select_related("assignee"),
        "decisions": case.decisions.select_related("decided_by", "organisation"),
        "can_triage": user_has_perm(user, Perm.CASE_TRIAGE),
        "can_work": can_work,
        "can_view_evidence": user_has_perm(user, Perm.EVIDENCE_VIEW),
        "triage_form": TriageForm(initial={"priority": case.priority}),
        "route_form": RouteForm(),
        "close_form": CloseForm(),
        "note_form": NoteForm(),
        "case_task_form": CaseTaskForm(user=user),
        "decision_form": DecisionForm(),
        "can_hold": user_has_perm(user, Perm.CASE_LEGAL_HOLD) and case.anonymised_at is None,
        "hold_form": LegalHoldForm(
            initial={"legal_hold": case.legal_hold, "reason": case.legal_hold_reason}
        ),
    }
    # Only for the police: for everyone else the key is absent and nothing is rendered.
    matches = poi_matches_for_user(user, case)
    if matches is not None:
        context["poi_matches"] = matches
    context.update(forms)
    return render(request, "cases/case_detail.html", context, status=status)


def _back(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases-case-detail", case_id=case.pk)


@staff_required(Perm.CASE_VIEW)
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    # The page shows what the reporter wrote: every opening is in the audit trail.
    audit_record("case.view", actor=user, obj=case, request=request)
    return _detail(request, case)
