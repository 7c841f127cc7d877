"""The case queue, the triage failures and the case list with search."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from childsafe.cases import services
from childsafe.cases.access import cases_for_user, staff_user
from childsafe.cases.forms import CaseSearchForm
from childsafe.cases.models import MAX_TRIAGE_ATTEMPTS, Case, CaseStatus, TriageFailure
from childsafe.cases.search import filter_folded
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm

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
    user = staff_user(request)
    cases = (
        cases_for_user(user)
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
    user = staff_user(request)
    # Failures belong to no case yet: every triage role sees the (content-free) list.
    failure = TriageFailure.objects.select_related("report").filter(pk=failure_id).first()
    if failure is None:
        raise Http404
    try:
        services.triage_failure_retry(failure, actor=user)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The worker will try this report again."))
    return redirect("cases-triage-failure-list")


@staff_required(Perm.CASE_VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = CaseSearchForm(request.GET)
    cases = cases_for_user(user).select_related("owner")
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
