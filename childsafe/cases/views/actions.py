"""Actions on a case: triage, routing, closing, agency tasks, notes, to-dos, decisions,
content assessment, counselling and legal hold.

Each is a POST to its own URL; a form error or a refused action renders the case again
with status 400 and the message, success redirects back to the case.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childsafe.cases import services
from childsafe.cases.access import (
    cases_for_user,
    get_agency_task_for_user,
    get_case_for_user,
    get_case_task_for_user,
    staff_user,
)
from childsafe.cases.forms import (
    AssessmentForm,
    CaseTaskForm,
    CloseForm,
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
from childsafe.cases.views.detail import _back, _detail
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_triage(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, triage_form=form)
    try:
        services.case_triage_confirm(
            case,
            priority=form.cleaned_data["priority"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Triage confirmed."))


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_route(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = RouteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, route_form=form)
    try:
        services.case_route(
            case,
            function=form.cleaned_data["function"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("The case was referred; the agency must accept it."))


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, close_form=form)
    try:
        services.case_close(
            case,
            outcome=form.cleaned_data["outcome"],
            text=form.cleaned_data["text"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), close_form=form)
    return _back(request, case, _("Case closed."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_accept(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    try:
        services.agency_task_accept(task, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task accepted."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_reject(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, reject_form=form, task_id=task.pk)
    try:
        services.agency_task_reject(
            task,
            reason=form.cleaned_data["reason"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    messages.success(request, _("Task rejected."))
    # Rejecting may leave the organisation with no view of the case any more.
    if cases_for_user(user).filter(pk=case.pk).exists():
        return redirect("cases-case-detail", case_id=case.pk)
    return redirect("cases-case-list")


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_transfer(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    form = TransferForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, transfer_form=form, task_id=task.pk)
    try:
        services.agency_task_transfer(
            task,
            to=form.cleaned_data["organisation"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Transfer proposed; the receiving organisation must accept it."))


@staff_required(Perm.CASE_WORK)
@require_POST
def agency_task_done(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    try:
        services.agency_task_complete(task, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task marked done."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, note_form=form)
    try:
        services.note_add(
            case,
            text=form.cleaned_data["text"],
            is_shared=form.cleaned_data["is_shared"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), note_form=form)
    return _back(request, case, _("Note added."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def case_task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = CaseTaskForm(request.POST, user=user)
    if not form.is_valid():
        return _detail(request, case, status=400, case_task_form=form)
    try:
        services.case_task_add(
            case,
            title=form.cleaned_data["title"],
            assignee=form.cleaned_data["assignee"],
            due_at=form.cleaned_data["due_at"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), case_task_form=form)
    return _back(request, case, _("Task added."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def case_task_done(request: HttpRequest, case_id: int, case_task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_case_task_for_user(user, case, case_task_id)
    try:
        services.case_task_complete(task, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Task marked done."))


@staff_required(Perm.CASE_WORK)
@require_POST
def decision_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, decision_form=form)
    try:
        services.decision_add(
            case,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), decision_form=form)
    return _back(request, case, _("Decision recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def content_assess(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(message) for message in form.errors.get("item", []))
        return _detail(request, case, status=400, error=error, assessment_form=form)
    try:
        services.content_assess(
            case,
            item=form.cleaned_data["item"],
            assessment=form.cleaned_data["assessment"],
            category=form.cleaned_data["category"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Assessment recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def counselling_session_add(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    form = CounsellingSessionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, session_form=form, counselling_task_id=task.pk)
    try:
        services.counselling_session_add(task, **form.cleaned_data, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Counselling session recorded."))


@staff_required(Perm.CASE_WORK)
@require_POST
def counselling_outcome_set(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    task = get_agency_task_for_user(user, case, task_id)
    form = CounsellingOutcomeForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, outcome_form=form, counselling_task_id=task.pk)
    try:
        services.counselling_outcome_set(task, **form.cleaned_data, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Referral outcome recorded."))


@staff_required(Perm.CASE_LEGAL_HOLD)
@require_POST
def case_legal_hold(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, hold_form=form)
    try:
        services.case_set_legal_hold(
            case,
            is_held=form.cleaned_data["legal_hold"],
            reason=form.cleaned_data["reason"],
            actor=user,
        )
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc), hold_form=form)
    return _back(request, case, _("Legal hold saved."))
