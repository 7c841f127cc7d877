"""Actions on the statutory clocks of a case: start, extend, suspend, resume, stop."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childsafe.cases import services
from childsafe.cases.access import get_case_for_user, get_clock_for_user, staff_user
from childsafe.cases.forms import (
    ClockApprovalForm,
    ClockExtendForm,
    ClockStartForm,
    ClockSuspendForm,
)
from childsafe.cases.views.detail import _back, _detail
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm


@staff_required(Perm.CASE_TRIAGE)
@require_POST
def clock_start(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form = ClockStartForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, clock_start_form=form)
    try:
        services.clock_start(case, rule_code=form.cleaned_data["rule"], actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit started."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_extend(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    clock = get_clock_for_user(user, case, clock_id)
    form = ClockExtendForm(
        request.POST, auto_id=f"id_clock{clock.pk}_extend_%s", latest=clock.latest_extension()
    )
    if not form.is_valid():
        return _detail(request, case, status=400, extend_form=form, clock_id=clock.pk)
    try:
        services.clock_extend(clock, **form.cleaned_data, actor=user)
    except services.CaseError as exc:
        return _detail(
            request, case, status=400, error=str(exc), extend_form=form, clock_id=clock.pk
        )
    return _back(request, case, _("Time limit extended."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_suspend(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    clock = get_clock_for_user(user, case, clock_id)
    form = ClockSuspendForm(request.POST, auto_id=f"id_clock{clock.pk}_%s")
    if not form.is_valid():
        return _detail(request, case, status=400, approval_form=form, clock_id=clock.pk)
    try:
        services.clock_suspend(clock, **form.cleaned_data, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit suspended."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_resume(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    clock = get_clock_for_user(user, case, clock_id)
    form = ClockApprovalForm(request.POST, auto_id=f"id_clock{clock.pk}_%s")
    if not form.is_valid():
        return _detail(request, case, status=400, approval_form=form, clock_id=clock.pk)
    try:
        services.clock_resume(clock, **form.cleaned_data, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit resumed."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def clock_stop(request: HttpRequest, case_id: int, clock_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    clock = get_clock_for_user(user, case, clock_id)
    try:
        services.clock_stop(clock, actor=user)
    except services.CaseError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("Time limit ended."))
