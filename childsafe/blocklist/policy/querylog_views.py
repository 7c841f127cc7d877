"""Pages of the per-device query log periods (docs/school-filter.md, ``query_log``).

- ``/filter/school/query-log/``: a school IT admin's own school's periods;
  ``POST /filter/school/query-log/enable/`` turns the log on for a period (at most 7
  days, with a reason), ``POST /filter/school/query-log/<id>/end/`` ends one early
  (``filter_school.manage``);
- ``/filter/query-log/``: every school's periods (``filter_policy.view``: education
  officers, the province coordinator); ``POST /filter/query-log/<id>/end/`` ends one
  early (``filter_policy.manage``: education officers).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from childsafe.blocklist.models import QueryLogPeriod
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.access import (
    can_manage_policy,
    get_own_school_for_user,
    get_query_log_period_for_user,
    get_school_query_log_period_for_user,
    query_log_periods_for_user,
)
from childsafe.orgs.access import staff_required
from childsafe.orgs.models import Organisation
from childsafe.orgs.roles import Perm

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QueryLogForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"),
        required=False,
        widget=_LOCAL,
        help_text=gettext_lazy("Leave empty to start now."),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until"),
        widget=_LOCAL,
        help_text=gettext_lazy("At most 7 days after the start."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=services.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Why the school needs to see which device asked for which name. It is kept "
            "in the audit log: do not name pupils or staff or write other personal data."
        ),
    )


def _school_page(
    request: HttpRequest,
    school: Organisation,
    form: QueryLogForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    periods = list(query_log_periods_for_user(request.user).filter(school=school))
    return render(
        request,
        "blocklist/querylog_school.html",
        {
            "school": school,
            "rows": [(p, p.is_active(now), p.can_end(now)) for p in periods],
            "form": form or QueryLogForm(),
        },
        status=status,
    )


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_GET
def school_query_log(request: HttpRequest) -> HttpResponse:
    return _school_page(request, get_own_school_for_user(request.user))


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_query_log_enable(request: HttpRequest) -> HttpResponse:
    school = get_own_school_for_user(request.user)
    form = QueryLogForm(request.POST)
    if form.is_valid():
        try:
            services.query_log_enable(school, actor=request.user, **form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _school_page(
                request, school, form, status=409 if exc.code == "overlap" else 400
            )
        messages.success(
            request, _("The query log is on for this period. The filter keeps it for 7 days.")
        )
        return redirect("blocklist-querylog-school")
    return _school_page(request, school, form, status=400)


def _end(request: HttpRequest, period: QueryLogPeriod, then: str) -> HttpResponse:
    try:
        services.query_log_end(period, actor=request.user)
    except services.PolicyError as exc:
        messages.error(request, exc.message)
        return redirect(then)
    messages.success(
        request, _("The period is ended. The filter stops logging at its next policy download.")
    )
    return redirect(then)


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_query_log_end(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_school_query_log_period_for_user(request.user, period_id)
    return _end(request, period, "blocklist-querylog-school")


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def query_log_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    periods = query_log_periods_for_user(request.user).order_by("-starts_at", "-pk")
    return render(
        request,
        "blocklist/querylog_list.html",
        {
            "rows": [(p, p.is_active(now), p.can_end(now)) for p in periods],
            "can_manage": can_manage_policy(request.user),
        },
    )


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def query_log_end(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_query_log_period_for_user(request.user, period_id)
    return _end(request, period, "blocklist-querylog-list")
