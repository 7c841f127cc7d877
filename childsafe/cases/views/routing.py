"""Routing rules: the list with its add form, and switching a rule on or off."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from childsafe.cases import services
from childsafe.cases.access import staff_user
from childsafe.cases.forms import RoutingRuleForm
from childsafe.cases.models import RoutingRule
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm


@staff_required(Perm.ROUTING_MANAGE)
@require_http_methods(["GET", "POST"])
def routing_rule_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = RoutingRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.routing_rule_create(**form.cleaned_data, actor=user)
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
    user = staff_user(request)
    # Routing rules are province-wide data: whoever holds routing.manage sees them all.
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    services.routing_rule_set_active(rule, is_active=not rule.is_active, actor=user)
    return redirect("cases-routing-rule-list")
