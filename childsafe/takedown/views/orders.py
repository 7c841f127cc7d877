"""The officers' pages: the order list, drafting, the order page and its decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from childsafe.cases.access import get_case_for_user
from childsafe.cases.models import Case
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm
from childsafe.reports.models import ReportURL
from childsafe.takedown import services
from childsafe.takedown.access import get_order_for_user, orders_for_user
from childsafe.takedown.forms import DecisionForm, OrderFilterForm, OrderForm, WithdrawForm
from childsafe.takedown.models import OPEN_STATUSES, OrderStatus, TakedownOrder

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@staff_required(Perm.ORDER_VIEW)
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    orders = orders_for_user(request.user).annotate(  # type: ignore[arg-type]
        target_count=Count("targets")
    )
    now = timezone.now()
    if not form.is_valid():
        context = {"form": form, "page": _page(request, orders.none()), "now": now}
        return render(request, "takedown/order_list.html", context, status=400)
    status = form.cleaned_data["status"]
    if status == "open":
        orders = orders.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        orders = orders.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif status:
        orders = orders.filter(status=status)
    if form.cleaned_data["provider"] is not None:
        orders = orders.filter(provider=form.cleaned_data["provider"])
    page = _page(request, orders.order_by("-created_at", "-pk"))
    return render(request, "takedown/order_list.html", {"form": form, "page": page, "now": now})


def _case_from(user: Any, raw: Any) -> Case | None:
    """The case named by ``?case=`` (or the form's hidden field), if the user sees it."""
    if raw in (None, ""):
        return None
    try:
        case_id = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_case_for_user(user, case_id)


def _case_targets(case: Case) -> str:
    """The case's reported addresses, one per line (IP-literal ones left out)."""
    urls = (
        ReportURL.objects.filter(report__case_link__case=case, host_is_ip=False)
        .order_by("id")
        .values_list("normalised", flat=True)
    )
    return "\n".join(dict.fromkeys(urls))


@staff_required(Perm.ORDER_DRAFT)
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        form = OrderForm(request.POST)
        case = _case_from(user, request.POST.get("case"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_draft(
                    actor=user,
                    targets=data["targets"].splitlines(),
                    action=data["action"],
                    reason=data["reason"],
                    legal_basis=data["legal_basis"],
                    instructions=data["instructions"],
                    deadline_hours=data["deadline_hours"],
                    provider=data["provider"],
                    case=case,
                )
            except services.OrderError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, _("Order drafted. Another officer must approve it before it goes.")
                )
                return redirect("takedown-order-detail", order_id=order.pk)
        context = {"form": form, "case": case}
        return render(request, "takedown/order_create.html", context, status=400)
    case = _case_from(user, request.GET.get("case"))
    initial: dict[str, Any] = {"legal_basis": services.default_legal_basis()}
    if case is not None:
        initial.update(case=case.pk, reason=case.category, targets=_case_targets(case))
    form = OrderForm(initial=initial)
    return render(request, "takedown/order_create.html", {"form": form, "case": case})


def _detail(
    request: HttpRequest,
    order: TakedownOrder,
    *,
    status: int = 200,
    error: str = "",
    **forms: Any,
) -> HttpResponse:
    user: Any = request.user
    can_decide = services.can_decide(user, order)
    context = {
        "order": order,
        "error": error,
        "now": timezone.now(),
        "targets": order.targets.all(),
        "events": order.events.select_related("actor", "target"),
        "can_approve": services.can_approve(user, order),
        "is_author": order.created_by_id == user.pk,
        "can_reject": can_decide and order.status == OrderStatus.DRAFT,
        "can_withdraw": can_decide and order.status in services.WITHDRAWABLE_STATUSES,
        "reject_form": DecisionForm(),
        "withdraw_form": WithdrawForm(),
    }
    context.update(forms)
    return render(request, "takedown/order_detail.html", context, status=status)


@staff_required(Perm.ORDER_VIEW)
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    return _detail(request, order)


def _back(request: HttpRequest, order: TakedownOrder, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("takedown-order-detail", order_id=order.pk)


@staff_required(Perm.ORDER_APPROVE)
@require_POST
def order_approve(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    try:
        services.order_approve(order, actor=request.user)  # type: ignore[arg-type]
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("Order approved and issued: the provider is told."))


@staff_required(Perm.ORDER_APPROVE)
@require_POST
def order_reject(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, status=400, reject_form=form)
    try:
        services.order_reject(
            order,
            actor=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
        )
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("The draft was not approved."))


@staff_required(Perm.ORDER_APPROVE)
@require_POST
def order_withdraw(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order_for_user(request.user, order_id)  # type: ignore[arg-type]
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, order, status=400, withdraw_form=form)
    try:
        services.order_withdraw(
            order,
            actor=request.user,  # type: ignore[arg-type]
            decision=form.cleaned_data["decision"],
        )
    except services.OrderError as exc:
        return _detail(request, order, status=exc.http_status, error=exc.message)
    return _back(request, order, _("Order withdrawn: the provider is told."))
