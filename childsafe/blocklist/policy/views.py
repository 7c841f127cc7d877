"""Pages of school filtering.

- ``/filter/``: the schools with their policy summary and the pending allow requests
  (``filter_policy.view``: education officers, the province coordinator read-only);
- ``POST /filter/requests/<id>/decide/``: approve or refuse one (``filter_policy.manage``);
- ``/filter/figures/`` and ``/filter/figures/csv/``: the blocked queries across schools
  (``filter_policy.view``); every export is audited;
- ``/filter/rules/``: the province's default rules, tier by category
  (``filter_policy.view``); ``POST /filter/rules/set/`` changes one (``filter_policy.manage``);
- ``/filter/lists/``: the category lists (``filter_policy.view``);
  ``POST /filter/lists/upload/`` and ``POST /filter/lists/<id>/rollback/``
  (``filter_policy.manage``);
- ``/filter/school/``: a school IT admin's own school: networks, deny list, allow
  requests, how blocked names are answered (``filter_school.manage``);
  ``POST /filter/school/networks/`` and ``POST /filter/school/entries/`` add to them,
  ``.../<id>/remove/`` removes one, ``POST /filter/school/settings/`` sets the answers.
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
    CategoryList,
    FilterCategory,
    SchoolFilterSettings,
    SchoolListEntry,
    SchoolListKind,
    SchoolListStatus,
    SchoolNetwork,
    Tier,
    TierRule,
)
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.access import (
    can_manage_policy,
    get_allow_request_for_user,
    get_category_list_for_user,
    get_own_school_for_user,
    get_school_entry_for_user,
    get_school_network_for_user,
    schools_for_user,
)
from childsafe.blocklist.policy.boxes import box_rows
from childsafe.blocklist.policy.forms import (
    WEEKDAYS,
    DecisionForm,
    ListUploadForm,
    NetworkForm,
    RuleForm,
    SchoolEntryForm,
    SchoolSettingsForm,
)
from childsafe.blocklist.policy.importers import ImportFormatError, decode_upload
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
    school_list = list(schools)
    return render(
        request,
        "blocklist/policy_overview.html",
        {
            "schools": list(zip(school_list, box_rows(school_list), strict=True)),
            "requests": rows,
            "can_manage": can_manage_policy(request.user),
        },
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
    settings_form: SchoolSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if settings_form is None:
        current = SchoolFilterSettings.objects.filter(school=school).first()
        settings_form = SchoolSettingsForm(
            initial={
                "block_mode": current.block_mode,
                "block_ipv4": current.block_ipv4 or "",
                "block_ipv6": current.block_ipv6 or "",
                "default_tier": current.default_tier,
                "box_notify": current.box_notify,
            }
            if current
            else {"default_tier": Tier.PRIMARY}
        )
    return render(
        request,
        "blocklist/school_policy.html",
        {
            "school": school,
            "networks": SchoolNetwork.objects.filter(school=school),
            "entries": SchoolListEntry.objects.filter(school=school).order_by("kind", "domain"),
            "network_form": network_form or NetworkForm(),
            "entry_form": entry_form or SchoolEntryForm(),
            "settings_form": settings_form,
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


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_network_remove(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_school_network_for_user(request.user, network_id)
    services.school_network_remove(network, actor=request.user)
    messages.success(request, _("The network is removed."))
    return redirect("blocklist-school-policy")


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_entry_remove(request: HttpRequest, school_entry_id: int) -> HttpResponse:
    entry = get_school_entry_for_user(request.user, school_entry_id)
    services.school_entry_remove(entry, actor=request.user)
    if entry.kind == SchoolListKind.ALLOW and entry.status == SchoolListStatus.REQUESTED:
        messages.success(request, _("The request is withdrawn."))
    else:
        messages.success(request, _("The domain is removed from the school's list."))
    return redirect("blocklist-school-policy")


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_settings(request: HttpRequest) -> HttpResponse:
    school = get_own_school_for_user(request.user)
    form = SchoolSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.school_settings_set(school, actor=request.user, **form.cleaned_data)
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("blocklist-school-policy")
    return _school_page(request, school, settings_form=form, status=400)


# --- The province's default rules ---------------------------------------------------------


def schedule_text(schedule: list[dict[str, Any]]) -> str:
    names = dict(WEEKDAYS)
    return "; ".join(
        "{} {}–{}".format(
            " ".join(str(names[d]) for d in window["days"]), window["start"], window["end"]
        )
        for window in schedule
    )


def _rule_initial(tier: str, category: str, rule: TierRule | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"tier": tier, "category": category}
    if rule is None:
        return initial
    initial["is_blocked"] = rule.is_blocked
    for n, window in enumerate(rule.schedule[:2], start=1):
        initial[f"days{n}"] = window["days"]
        initial[f"start{n}"] = window["start"]
        initial[f"end{n}"] = window["end"]
    return initial


def _rules_page(
    request: HttpRequest, bound: RuleForm | None = None, status: int = 200
) -> HttpResponse:
    rules = {(r.tier, r.category): r for r in TierRule.objects.filter(school__isnull=True)}
    bound_key = (bound.data.get("tier"), bound.data.get("category")) if bound else None
    grid = []
    for category, category_label in FilterCategory.choices:
        cells = []
        for tier in Tier.values:
            rule = rules.get((tier, category))
            form = (
                bound
                if bound is not None and bound_key == (tier, category)
                else RuleForm(
                    initial=_rule_initial(tier, category, rule),
                    auto_id=f"id_{tier}_{category}_%s",
                )
            )
            cells.append(
                {
                    "tier": tier,
                    "category": category,
                    "is_blocked": bool(rule and rule.is_blocked),
                    "schedule": schedule_text(rule.schedule) if rule else "",
                    "form": form,
                    "is_open": form is bound,
                }
            )
        grid.append((category_label, cells))
    return render(
        request,
        "blocklist/policy_rules.html",
        {
            "tiers": Tier.choices,
            "grid": grid,
            "can_manage": can_manage_policy(request.user),
            # A form for no cell of the grid (a bad tier or category): its errors on top.
            "stray_form": bound
            if bound is not None and not any(c["is_open"] for _l, cs in grid for c in cs)
            else None,
        },
        status=status,
    )


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_rules(request: HttpRequest) -> HttpResponse:
    return _rules_page(request)


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def policy_rule_set(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tier_rule_set(
                actor=request.user,
                school=None,
                tier=data["tier"],
                category=data["category"],
                is_blocked=data["is_blocked"],
                schedule=data["schedule"],
            )
        except services.PolicyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("blocklist-policy-rules")
    return _rules_page(request, bound=form, status=400)


# --- Category lists -------------------------------------------------------------------------


def _lists_page(
    request: HttpRequest, form: ListUploadForm | None = None, status: int = 200
) -> HttpResponse:
    lists = CategoryList.objects.select_related(
        "active_version", "active_version__created_by"
    ).annotate(version_count=Count("versions"))
    return render(
        request,
        "blocklist/policy_lists.html",
        {
            "lists": lists,
            "form": form or ListUploadForm(),
            "can_manage": can_manage_policy(request.user),
        },
        status=status,
    )


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_lists(request: HttpRequest) -> HttpResponse:
    return _lists_page(request)


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def policy_list_upload(request: HttpRequest) -> HttpResponse:
    form = ListUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.list_import(
                actor=request.user,
                category=data["category"],
                name=data["name"],
                source=data["source"],
                licence=data["licence"],
                text=decode_upload(data["file"].read()),
                file_format=data["file_format"] or None,
            )
        except ImportFormatError as exc:
            form.add_error("file", exc.message)
        except services.PolicyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(n)d domains imported; %(invalid)d invalid lines.")
                % {"n": version.entry_count, "invalid": version.invalid_count},
            )
            return redirect("blocklist-policy-lists")
    return _lists_page(request, form=form, status=400)


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def policy_list_rollback(request: HttpRequest, list_id: int) -> HttpResponse:
    category_list = get_category_list_for_user(request.user, list_id)
    try:
        services.list_rollback(category_list, actor=request.user)
    except services.PolicyError as exc:
        messages.error(request, exc.message)
        return _lists_page(request, status=409)
    messages.success(request, _("The earlier version is active again."))
    return redirect("blocklist-policy-lists")
