"""Pages of one school's own rules: the province default and the school's override of
each tier and category (docs/school-filter.md, "A school's own rules").

- ``/filter/school/rules/``: a school IT admin's own school (``filter_school.manage``);
  ``POST /filter/school/rules/set/`` sets an override, ``POST /filter/school/rules/remove/``
  takes one away (back to the province default);
- ``/filter/rules/schools/?school=<id>``: any school, picked on the page
  (``filter_policy.view``: education officers, the province coordinator read-only);
  ``POST /filter/rules/schools/<id>/set/`` and ``.../remove/`` (``filter_policy.manage``).

What a school IT admin may set is decided by ``services.tier_rule_set``, not here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from childsafe.blocklist.models import FilterCategory, Tier, TierRule
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.access import (
    can_manage_policy,
    get_own_school_for_user,
    get_school_for_user,
    schools_for_user,
)
from childsafe.blocklist.policy.forms import RuleForm
from childsafe.blocklist.policy.views import _rule_initial, schedule_text
from childsafe.orgs.access import staff_required
from childsafe.orgs.models import Organisation
from childsafe.orgs.roles import Perm


class RuleRemoveForm(forms.Form):
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), choices=Tier.choices)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=FilterCategory.choices)


def _page_url(school: Organisation, *, is_officer_page: bool) -> str:
    """Where the grid of ``school`` is: the officers' page or the school's own."""
    if is_officer_page:
        return "{}?school={}".format(reverse("blocklist-policy-school-rules"), school.pk)
    return reverse("blocklist-school-rules")


def _grid(
    school: Organisation, bound: RuleForm | None, *, may_loosen: bool
) -> tuple[list[tuple[Any, list[dict[str, Any]]]], bool]:
    """Rows (category label, cells per tier) of the school's effective rules, and
    whether ``bound`` found its cell."""
    defaults = {(r.tier, r.category): r for r in TierRule.objects.filter(school__isnull=True)}
    overrides = {(r.tier, r.category): r for r in TierRule.objects.filter(school=school)}
    bound_key = (bound.data.get("tier"), bound.data.get("category")) if bound else None
    found = False
    grid: list[tuple[Any, list[dict[str, Any]]]] = []
    for category, category_label in FilterCategory.choices:
        cells: list[dict[str, Any]] = []
        for tier in Tier.values:
            default, override = defaults.get((tier, category)), overrides.get((tier, category))
            is_open = bound is not None and bound_key == (tier, category)
            found = found or is_open
            form = (
                bound
                if is_open and bound is not None
                else RuleForm(
                    initial=_rule_initial(tier, category, override or default),
                    auto_id=f"id_{tier}_{category}_%s",
                )
            )
            is_looser = override is not None and not services.rule_blocks_at_least(
                override.is_blocked, override.schedule, default
            )
            cells.append(
                {
                    "tier": tier,
                    "category": category,
                    "default_blocked": bool(default and default.is_blocked),
                    "default_schedule": schedule_text(default.schedule) if default else "",
                    "override": override,
                    "override_schedule": schedule_text(override.schedule) if override else "",
                    "is_looser": is_looser,
                    # A looser rule the school set itself for a category it may not
                    # loosen: the compiled policy follows the (since stricter) default.
                    "is_overruled": is_looser
                    and not override.may_loosen  # type: ignore[union-attr]
                    and category not in services.SCHOOL_LOOSENABLE,
                    # A school IT admin may only tighten it (the service enforces it).
                    "is_protected": not may_loosen
                    and category not in services.SCHOOL_LOOSENABLE
                    and bool(default and default.is_blocked),
                    "form": form,
                    "is_open": is_open,
                }
            )
        grid.append((category_label, cells))
    return grid, found


def _rules_page(
    request: HttpRequest,
    school: Organisation | None,
    *,
    is_officer_page: bool,
    bound: RuleForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_loosen = can_manage_policy(request.user)
    context: dict[str, Any] = {
        "school": school,
        "tiers": Tier.choices,
        "is_officer_page": is_officer_page,
        "can_edit": may_loosen if is_officer_page else True,
        "may_loosen": may_loosen,
        "errors": list(errors or []),
    }
    if is_officer_page:
        context["schools"] = schools_for_user(request.user)
    if school is not None:
        grid, found = _grid(school, bound, may_loosen=may_loosen)
        context["grid"] = grid
        if bound is not None and not found:  # a bad tier or category: its errors on top
            context["errors"] += [str(e) for errs in bound.errors.values() for e in errs]
        if is_officer_page:
            context["set_url"] = reverse("blocklist-policy-school-rule-set", args=[school.pk])
            context["remove_url"] = reverse(
                "blocklist-policy-school-rule-remove", args=[school.pk]
            )
        else:
            context["set_url"] = reverse("blocklist-school-rule-set")
            context["remove_url"] = reverse("blocklist-school-rule-remove")
    return render(request, "blocklist/school_rules.html", context, status=status)


def _status(exc: services.PolicyError) -> int:
    return 403 if exc.code == "forbidden" else 400


def _set(request: HttpRequest, school: Organisation, *, is_officer_page: bool) -> HttpResponse:
    form = RuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tier_rule_set(
                actor=request.user,
                school=school,
                tier=data["tier"],
                category=data["category"],
                is_blocked=data["is_blocked"],
                schedule=data["schedule"],
            )
        except services.PolicyError as exc:
            form.add_error(None, exc.message)
            return _rules_page(
                request, school, is_officer_page=is_officer_page, bound=form, status=_status(exc)
            )
        messages.success(request, _("The school's rule is saved."))
        return redirect(_page_url(school, is_officer_page=is_officer_page))
    return _rules_page(request, school, is_officer_page=is_officer_page, bound=form, status=400)


def _remove(request: HttpRequest, school: Organisation, *, is_officer_page: bool) -> HttpResponse:
    form = RuleRemoveForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _rules_page(
            request, school, is_officer_page=is_officer_page, errors=errors, status=400
        )
    try:
        services.tier_rule_remove(actor=request.user, school=school, **form.cleaned_data)
    except services.PolicyError as exc:
        return _rules_page(
            request,
            school,
            is_officer_page=is_officer_page,
            errors=[exc.message],
            status=_status(exc),
        )
    messages.success(request, _("The school's rule is removed: the province default applies."))
    return redirect(_page_url(school, is_officer_page=is_officer_page))


# --- A school IT admin's own school --------------------------------------------------------


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_GET
def school_rules(request: HttpRequest) -> HttpResponse:
    return _rules_page(request, get_own_school_for_user(request.user), is_officer_page=False)


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_rule_set(request: HttpRequest) -> HttpResponse:
    return _set(request, get_own_school_for_user(request.user), is_officer_page=False)


@staff_required(Perm.FILTER_SCHOOL_MANAGE)
@require_POST
def school_rule_remove(request: HttpRequest) -> HttpResponse:
    return _remove(request, get_own_school_for_user(request.user), is_officer_page=False)


# --- Any school, for the education officers ------------------------------------------------


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_school_rules(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("school", "")
    school = None
    if raw:
        if not raw.isdigit():
            raise Http404
        school = get_school_for_user(request.user, int(raw))
    return _rules_page(request, school, is_officer_page=True)


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def policy_school_rule_set(request: HttpRequest, school_id: int) -> HttpResponse:
    return _set(request, get_school_for_user(request.user, school_id), is_officer_page=True)


@staff_required(Perm.FILTER_POLICY_MANAGE)
@require_POST
def policy_school_rule_remove(request: HttpRequest, school_id: int) -> HttpResponse:
    return _remove(request, get_school_for_user(request.user, school_id), is_officer_page=True)
