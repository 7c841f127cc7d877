"""The register of service providers: who they are, the domains and networks they
answer for, their contacts and their open orders.

Providers themselves are organisations (kind "service provider", made on the
organisations pages) and their contacts are user accounts with the role "service
provider contact"; this register adds their scopes, so orders address themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from childsafe.orgs.access import staff_required, user_has_perm
from childsafe.orgs.models import Organisation, User
from childsafe.orgs.roles import Perm, Role
from childsafe.takedown import services
from childsafe.takedown.access import (
    get_provider_for_user,
    get_scope_for_user,
    orders_for_user,
    providers_for_user,
)
from childsafe.takedown.forms import ScopeForm
from childsafe.takedown.models import OPEN_STATUSES


@staff_required(Perm.ORDER_VIEW)
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = providers_for_user(request.user).annotate(  # type: ignore[arg-type]
        scope_count=Count("provider_scopes", distinct=True),
        contact_count=Count(
            "users",
            filter=Q(users__role=Role.PROVIDER_CONTACT, users__is_active=True),
            distinct=True,
        ),
        open_count=Count(
            "takedown_orders",
            filter=Q(takedown_orders__status__in=OPEN_STATUSES),
            distinct=True,
        ),
    )
    return render(
        request,
        "takedown/provider_list.html",
        {"providers": providers.order_by("name"), "today": timezone.localdate()},
    )


def _detail(
    request: HttpRequest, provider: Organisation, *, status: int = 200, **context: Any
) -> HttpResponse:
    user: Any = request.user
    contacts = User.objects.filter(
        organisation=provider, role=Role.PROVIDER_CONTACT, is_active=True
    ).order_by("full_name", "username")
    open_orders = (
        orders_for_user(user)
        .filter(provider=provider, status__in=OPEN_STATUSES)
        .annotate(target_count=Count("targets"))
        .order_by("due_at", "pk")
    )
    context = {
        "provider": provider,
        "scopes": provider.provider_scopes.all(),
        "contacts": contacts,
        "open_orders": open_orders,
        "now": timezone.now(),
        "can_manage": user_has_perm(user, Perm.PROVIDER_MANAGE),
        "scope_form": ScopeForm(),
        **context,
    }
    return render(request, "takedown/provider_detail.html", context, status=status)


@staff_required(Perm.ORDER_VIEW)
@require_GET
def provider_detail(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_provider_for_user(request.user, provider_id)  # type: ignore[arg-type]
    return _detail(request, provider)


@staff_required(Perm.PROVIDER_MANAGE)
@require_POST
def provider_scope_add(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_provider_for_user(request.user, provider_id)  # type: ignore[arg-type]
    form = ScopeForm(request.POST)
    if form.is_valid():
        try:
            services.provider_scope_add(
                provider,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except services.OrderError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Added to the provider's scope."))
            return redirect("takedown-provider-detail", provider_id=provider.pk)
    return _detail(request, provider, status=400, scope_form=form)


@staff_required(Perm.PROVIDER_MANAGE)
@require_POST
def provider_scope_delete(request: HttpRequest, provider_id: int, scope_id: int) -> HttpResponse:
    provider = get_provider_for_user(request.user, provider_id)  # type: ignore[arg-type]
    scope = get_scope_for_user(request.user, provider, scope_id)  # type: ignore[arg-type]
    services.provider_scope_remove(scope, actor=request.user)
    messages.success(request, _("Removed from the provider's scope."))
    return redirect("takedown-provider-detail", provider_id=provider.pk)
