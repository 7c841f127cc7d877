"""The provider portal: a provider's contacts see the orders addressed to their company
(open ones first) and acknowledge, confirm or refuse each. Nothing of the case behind
an order is shown here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm
from childsafe.takedown import services
from childsafe.takedown.access import get_order_for_user, orders_for_user
from childsafe.takedown.forms import DoneForm, RefuseForm
from childsafe.takedown.models import OPEN_STATUSES, OrderEventKind, TakedownOrder
from childsafe.takedown.views.orders import _page

# The provider's timeline starts when the order reaches it.
PORTAL_EVENTS = frozenset(set(OrderEventKind) - {OrderEventKind.DRAFTED, OrderEventKind.REJECTED})


@staff_required(Perm.PROVIDER_PORTAL)
@require_GET
def portal_order_list(request: HttpRequest) -> HttpResponse:
    orders = (
        orders_for_user(request.user)  # type: ignore[arg-type]
        .annotate(
            target_count=Count("targets"),
            is_closed=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("is_closed", "due_at", "-issued_at", "-pk")
    )
    return render(
        request,
        "takedown/portal_order_list.html",
        {"page": _page(request, orders), "now": timezone.now()},
    )


def _detail(
    request: HttpRequest,
    order: TakedownOrder,
    *,
    status: int = 200,
    error: str = "",
    **forms: Any,
) -> HttpResponse:
    context = {
        "order": order,
        "error": error,
        "now": timezone.now(),
        "targets": order.targets.all(),
        "events": order.events.filter(kind__in=PORTAL_EVENTS),
        "done_form": DoneForm(),
        "refuse_form": RefuseForm(),
        **forms,
    }
    return render(request, "takedown/portal_order_detail.html", context, status=status)


@staff_required(Perm.PROVIDER_PORTAL)
@require_GET
def portal_order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    return _detail(request, order)


def _back(request: HttpRequest, order: TakedownOrder, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("takedown-portal-order-detail", order_id=order.pk)


@staff_required(Perm.PROVIDER_PORTAL)
@require_POST
def portal_order_ack(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    try:
        services.provider_acknowledge(order, actor=request.user)  # type: ignore[arg-type]
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("Order acknowledged."))


@staff_required(Perm.PROVIDER_PORTAL)
@require_POST
def portal_order_done(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    form = DoneForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, status=400, done_form=form)
    try:
        services.provider_done(
            order,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
        )
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("Thank you: the order is marked done and will be checked."))


@staff_required(Perm.PROVIDER_PORTAL)
@require_POST
def portal_order_refuse(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    form = RefuseForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, status=400, refuse_form=form)
    try:
        services.provider_refuse(
            order,
            actor=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
        )
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("Your refusal is recorded; the issuing officer is told."))
