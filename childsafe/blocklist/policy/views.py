"""Pages of school filtering.

- ``/filter/``: the schools with their policy summary and the pending allow requests
  (``filter_policy.view``: education officers, the province coordinator read-only);
- ``POST /filter/requests/<id>/decide/``: approve or refuse one (``filter_policy.manage``);
- ``/filter/school/``: a school IT admin's own school: networks, deny list, allow
  requests (``filter_school.manage``); ``POST /filter/school/networks/`` and
  ``POST /filter/school/entries/`` add to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from childsafe.blocklist.models import (
    SchoolListEntry,
    SchoolListKind,
    SchoolListStatus,
    SchoolNetwork,
)
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.access import (
    can_manage_policy,
    get_allow_request_for_user,
    get_own_school_for_user,
    schools_for_user,
)
from childsafe.blocklist.policy.forms import DecisionForm, NetworkForm, SchoolEntryForm
from childsafe.orgs.access import staff_required
from childsafe.orgs.models import Organisation
from childsafe.orgs.roles import Perm


def _overview(request: HttpRequest, forms: dict[int, DecisionForm], status: int = 200) -> Any:
    pending = Q(filter_list_entries__status=SchoolListStatus.REQUESTED)
    schools = schools_for_user(request.user).annotate(
        networks=Count("filter_networks", distinct=True),
        denies=Count(
            "filter_list_entries",
            filter=Q(filter_list_entries__kind=SchoolListKind.DENY),
            distinct=True,
        ),
        pending=Count("filter_list_entries", filter=pending, distinct=True),
    )
    requests = (
        SchoolListEntry.objects.filter(
            school__in=schools_for_user(request.user),
            kind=SchoolListKind.ALLOW,
            status=SchoolListStatus.REQUESTED,
        )
        .select_related("school", "requested_by")
        .order_by("requested_at", "pk")
    )
    rows = [(entry, forms.get(entry.pk) or DecisionForm()) for entry in requests]
    return render(
        request,
        "blocklist/policy_overview.html",
        {"schools": schools, "requests": rows, "can_manage": can_manage_policy(request.user)},
        status=status,
    )


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_overview(request: HttpRequest) -> HttpResponse:
    return _overview(request, {})


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def allow_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    entry = get_allow_request_for_user(request.user, request_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.school_allow_decide(
                entry,
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except services.PolicyError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
            return _overview(
                request,
                {entry.pk: form},
                status=409 if exc.code in ("decided", "authority") else 400,
            )
        messages.success(request, _("The request is decided."))
        return redirect("blocklist-policy-overview")
    return _overview(request, {entry.pk: form}, status=400)


def _school_page(
    request: HttpRequest,
    school: Organisation,
    network_form: NetworkForm | None = None,
    entry_form: SchoolEntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "blocklist/school_policy.html",
        {
            "school": school,
            "networks": SchoolNetwork.objects.filter(school=school),
            "entries": SchoolListEntry.objects.filter(school=school).order_by("kind", "domain"),
            "network_form": network_form or NetworkForm(),
            "entry_form": entry_form or SchoolEntryForm(),
        },
        status=status,
    )


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_GET
def school_policy(request: HttpRequest) -> HttpResponse:
    return _school_page(request, get_own_school_for_user(request.user))


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_network_add(request: HttpRequest) -> HttpResponse:
    school = get_own_school_for_user(request.user)
    form = NetworkForm(request.POST)
    if form.is_valid():
        try:
            services.school_network_add(school, actor=request.user, **form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The network is added."))
            return redirect("blocklist-school-policy")
    return _school_page(request, school, network_form=form, status=400)


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_entry_add(request: HttpRequest) -> HttpResponse:
    school = get_own_school_for_user(request.user)
    form = SchoolEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == SchoolListKind.ALLOW:
                services.school_allow_request(
                    school, actor=request.user, domain=data["domain"], reason=data["reason"]
                )
                message = _("Your request is sent to the education officer.")
            else:
                services.school_deny_add(
                    school, actor=request.user, domain=data["domain"], reason=data["reason"]
                )
                message = _("The domain is blocked at your school.")
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, message)
            return redirect("blocklist-school-policy")
    return _school_page(request, school, entry_form=form, status=400)
