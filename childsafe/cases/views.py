"""Pages of the case file: queue, list and search, detail, and the actions on a case.

Every action is a POST to its own URL; a form error or a refused action renders the case
again with status 400 and the message, success redirects back to the case.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from childsafe.audit.services import audit_record
from childsafe.cases import services
from childsafe.cases.access import (
    can_act_on_clock,
    can_act_on_task,
    case_tasks_for_user,
    cases_for_user,
    counselling_tasks_for_user,
    get_agency_task_for_user,
    get_case_for_user,
    get_case_task_for_user,
    get_clock_for_user,
    notes_for_user,
    poi_matches_for_user,
)
from childsafe.cases.forms import (
    AssessmentForm,
    CaseSearchForm,
    CaseTaskForm,
    ClockApprovalForm,
    ClockExtendForm,
    ClockStartForm,
    CloseForm,
    CounsellingOutcomeForm,
    CounsellingSessionForm,
    DecisionForm,
    LegalHoldForm,
    NoteForm,
    RejectForm,
    RouteForm,
    RoutingRuleForm,
    TransferForm,
    TriageForm,
)
from childsafe.cases.models import (
    MAX_TRIAGE_ATTEMPTS,
    Case,
    CaseStatus,
    RoutingRule,
    TriageFailure,
)
from childsafe.cases.search import filter_folded
from childsafe.cases.services.content import assessments_for, case_items
from childsafe.orgs.access import staff_required, user_has_perm
from childsafe.orgs.roles import Perm
from childsafe.reports.models import Report

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _with_next_due(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with the due time of its first running clock (``next_due_at``)."""
    running = Q(clocks__stopped_at__isnull=True, clocks__suspended_at__isnull=True)
    return cases.annotate(next_due_at=Min("clocks__due_at", filter=running))


@staff_required(Perm.CASE_TRIAGE)
@require_GET
def case_queue(request: HttpRequest) -> HttpResponse:
    """Cases waiting for a person to confirm triage: most urgent first, then oldest."""
    cases = (
        cases_for_user(request.user)  # type: ignore[arg-type]
        .filter(status=CaseStatus.NEW)
        .select_related("owner")
        .order_by("-priority", "opened_at", "pk")
    )
    page = _page(request, _with_next_due(cases))
    return render(request, "cases/case_queue.html", {"page": page, "now": timezone.now()})


@staff_required(Perm.CASE_TRIAGE)
@require_GET
def triage_failure_list(request: HttpRequest) -> HttpResponse:
    """Reports the worker gave up triaging: tracking code and times only, no content."""
    failures = TriageFailure.objects.select_related("report").order_by("-last_failed_at")
    return render(
        request,
        "cases/triage_failure_list.html",
        {"failures": failures, "max_attempts": MAX_TRIAGE_ATTEMPTS},
    )


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def triage_failure_retry(request: HttpRequest, failure_id: int) -> HttpResponse:
    # Failures belong to no case yet: every triage role sees the (content-free) list.
    failure = TriageFailure.objects.select_related("report").filter(pk=failure_id).first()
    if failure is None:
        raise Http404
    try:
        services.triage_failure_retry(failure, actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The worker will try this report again."))
    return redirect("cases-triage-failure-list")


@staff_required(Perm.CASE_VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseSearchForm(request.GET)
    cases = cases_for_user(request.user).select_related("owner")  # type: ignore[arg-type]
    if not form.is_valid():
        return render(
            request,
            "cases/case_list.html",
            {"form": form, "page": _page(request, cases.none())},
            status=400,
        )
    status = form.cleaned_data["status"]
    if status == "":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif status != "all":
        cases = cases.filter(status=status)
    if form.cleaned_data["q"]:
        cases = filter_folded(cases, form.cleaned_data["q"])
    cases = _with_next_due(cases.order_by("-priority", "opened_at", "pk"))
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": _page(request, cases), "now": timezone.now()},
    )


def _detail(
    request: HttpRequest, case: Case, *, status: int = 200, error: str = "", **forms: Any
) -> HttpResponse:
    user: Any = request.user
    tasks = list(case.agency_tasks.select_related("organisation", "assignee"))
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
    clocks = list(
        case.clocks.select_related("rule", "agency_task__organisation").prefetch_related(
            "events__recorded_by"
        )
    )
    failed_clock_id = forms.pop("clock_id", None)
    for clock in clocks:
        clock.can_act = can_act_on_clock(user, clock)
        if clock.can_act:
            failed = failed_clock_id == clock.pk
            clock.extend_form = (
                forms.pop("extend_form")
                if failed and "extend_form" in forms
                else ClockExtendForm(
                    auto_id=f"id_clock{clock.pk}_extend_%s", initial={"due_at": clock.due_at}
                )
            )
            clock.approval_form = (
                forms.pop("approval_form")
                if failed and "approval_form" in forms
                else ClockApprovalForm(auto_id=f"id_clock{clock.pk}_%s")
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
    counselling = counselling_tasks_for_user(user, case)
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
    reports = (
        Report.objects.filter(case_link__case=case)
        .prefetch_related("urls", "files", "consents")
        .order_by("received_at")
    )
    context = {
        "case": case,
        "error": error,
        "now": timezone.now(),
        "clocks": clocks,
        "clock_start_form": ClockStartForm(),
        "reports": reports,
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
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    # The page shows what the reporter wrote: every opening is in the audit trail.
    audit_record("case.view", actor=request.user, obj=case, request=request)
    return _detail(request, case)


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_triage(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = TriageForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, triage_form=form)
    try:
        services.case_triage_confirm(
            case,
            priority=form.cleaned_data["priority"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Triage confirmed."))


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_route(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = RouteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, route_form=form)
    try:
        services.case_route(
            case,
            function=form.cleaned_data["function"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("The case was referred; the agency must accept it."))


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, close_form=form)
    try:
        services.case_close(
            case,
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), close_form=form)
    return _back(request, case, _("Case closed."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_accept(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    try:
        services.agency_task_accept(task, actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task accepted."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_reject(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, reject_form=form, task_id=task.pk)
    try:
        services.agency_task_reject(
            task,
            reason=form.cleaned_data["reason"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    messages.success(request, _("Task rejected."))
    # Rejecting may leave the organisation with no view of the case any more.
    if cases_for_user(request.user).filter(pk=case.pk).exists():  # type: ignore[arg-type]
        return redirect("cases-case-detail", case_id=case.pk)
    return redirect("cases-case-list")


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_transfer(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, transfer_form=form, task_id=task.pk)
    try:
        services.agency_task_transfer(
            task,
            to=form.cleaned_data["organisation"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Transfer proposed; the receiving organisation must accept it."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_done(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    try:
        services.agency_task_complete(task, actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task marked done."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, note_form=form)
    try:
        services.note_add(
            case,
            text=form.cleaned_data["text"],
            is_shared=form.cleaned_data["is_shared"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), note_form=form)
    return _back(request, case, _("Note added."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def case_task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = CaseTaskForm(request.POST, user=request.user)  # type: ignore[arg-type]
    if not form.is_valid():
        return _detail(request, case, status=400, case_task_form=form)
    try:
        services.case_task_add(
            case,
            title=form.cleaned_data["title"],
            assignee=form.cleaned_data["assignee"],
            due_at=form.cleaned_data["due_at"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), case_task_form=form)
    return _back(request, case, _("Task added."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def case_task_done(request: HttpRequest, case_id: int, case_task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_case_task_for_user(request.user, case, case_task_id)  # type: ignore[arg-type]
    try:
        services.case_task_complete(task, actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task marked done."))


@staff_required(Perm.CASE_WORK)
@require_POST
def decision_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, decision_form=form)
    try:
        services.decision_add(
            case,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), decision_form=form)
    return _back(request, case, _("Decision recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def content_assess(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        error = " ".join(form.errors.get("item", []))
        return _detail(request, case, status=400, error=error, assessment_form=form)
    try:
        services.content_assess(
            case,
            item=form.cleaned_data["item"],
            assessment=form.cleaned_data["assessment"],
            category=form.cleaned_data["category"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Assessment recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def counselling_session_add(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    form = CounsellingSessionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, session_form=form, counselling_task_id=task.pk)
    try:
        services.counselling_session_add(task, **form.cleaned_data, actor=request.user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Counselling session recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def counselling_outcome_set(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    task = get_agency_task_for_user(request.user, case, task_id)  # type: ignore[arg-type]
    form = CounsellingOutcomeForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, outcome_form=form, counselling_task_id=task.pk)
    try:
        services.counselling_outcome_set(task, **form.cleaned_data, actor=request.user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Referral outcome recorded."))


@staff_required(Perm.CASE_LEGAL_HOLD)
@require_POST
def case_legal_hold(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, hold_form=form)
    try:
        services.case_set_legal_hold(
            case,
            is_held=form.cleaned_data["legal_hold"],
            reason=form.cleaned_data["reason"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), hold_form=form)
    return _back(request, case, _("Legal hold saved."))


@staff_required(Perm.ROUTING_MANAGE)
@require_http_methods(["GET", "POST"])
def routing_rule_list(request: HttpRequest) -> HttpResponse:
    form = RoutingRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.routing_rule_create(**form.cleaned_data, actor=request.user)
        messages.success(request, _("Routing rule added."))
        return redirect("cases-routing-rule-list")
    rules = RoutingRule.objects.select_related("territory")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/routing_rule_list.html", {"form": form, "rules": rules}, status=status
    )


@staff_required(Perm.ROUTING_MANAGE)
@require_POST
def routing_rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    # Routing rules are province-wide data: whoever holds routing.manage sees them all.
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    services.routing_rule_set_active(rule, is_active=not rule.is_active, actor=request.user)  # type: ignore[arg-type]
    return redirect("cases-routing-rule-list")


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def clock_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    form = ClockStartForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, clock_start_form=form)
    try:
        services.clock_start(case, rule_code=form.cleaned_data["rule"], actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit started."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_extend(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    clock = get_clock_for_user(request.user, case, clock_id)  # type: ignore[arg-type]
    form = ClockExtendForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, extend_form=form, clock_id=clock.pk)
    try:
        services.clock_extend(clock, **form.cleaned_data, actor=request.user)
    except services.CaseError as exc:
        return _detail(
            request, case, status=400, error=str(exc), extend_form=form, clock_id=clock.pk
        )
    return _back(request, case, _("Time limit extended."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_suspend(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    clock = get_clock_for_user(request.user, case, clock_id)  # type: ignore[arg-type]
    form = ClockApprovalForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, approval_form=form, clock_id=clock.pk)
    try:
        services.clock_suspend(clock, **form.cleaned_data, actor=request.user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit suspended."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_resume(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    clock = get_clock_for_user(request.user, case, clock_id)  # type: ignore[arg-type]
    form = ClockApprovalForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, approval_form=form, clock_id=clock.pk)
    try:
        services.clock_resume(clock, **form.cleaned_data, actor=request.user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit resumed."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_stop(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)  # type: ignore[arg-type]
    clock = get_clock_for_user(request.user, case, clock_id)  # type: ignore[arg-type]
    try:
        services.clock_stop(clock, actor=request.user)  # type: ignore[arg-type]
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit ended."))
