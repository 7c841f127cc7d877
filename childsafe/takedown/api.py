"""Provider API: ``/api/v1/provider/orders`` and the acknowledge, done and refuse
calls. A provider's token sees only the orders addressed to its own company.

- ``GET /orders?status=open`` (the default; ``all`` or one status) lists the company's
  orders, open ones by due time first, ``limit`` (at most 200) at a time from ``offset``.
- ``GET /orders/{id}`` is one order with its targets.
- ``POST /orders/{id}/ack``, ``/done`` (optional JSON ``{"note": ...}``) and ``/refuse``
  (JSON ``{"reason": ...}``, required: 422 without it) answer it and return the order.
  Repeating a call changes nothing and answers the same; a call the order's state does
  not allow answers 409; another company's order, or one that does not exist, 404.
  Errors are JSON with ``detail``.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from childsafe.orgs.access import TokenAuth
from childsafe.orgs.roles import Perm
from childsafe.takedown import services
from childsafe.takedown.access import UNSENT_STATUSES, get_order_for_user, orders_for_user
from childsafe.takedown.models import OPEN_STATUSES, OrderStatus, OrderTarget, TakedownOrder

router = Router(tags=["provider orders"])

MAX_LIMIT = 200
AUTH = TokenAuth(Perm.PROVIDER_PORTAL)

StatusFilter = Enum(  # type: ignore[misc]
    "StatusFilter",
    {
        "open": "open",
        "all": "all",
        **{s.value: s.value for s in OrderStatus if s not in UNSENT_STATUSES},
    },
    type=str,
)


class TargetOut(Schema):
    id: int
    kind: str
    value: str = Field(description="A normalised URL, or a domain in punycode.")
    host: str
    state: str = Field(description="What the checker last saw: pending, present, gone...")


class OrderOut(Schema):
    id: int
    reference: str
    issuer: str
    action: str = Field(description="remove or block")
    reason: str
    legal_basis: str
    instructions: str
    deadline_hours: int
    status: str
    issued_at: dt.datetime | None
    due_at: dt.datetime | None
    is_overdue: bool
    acknowledged_at: dt.datetime | None
    done_at: dt.datetime | None
    removed_at: dt.datetime | None
    refused_at: dt.datetime | None
    refusal_reason: str
    closed_at: dt.datetime | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_issuer(order: TakedownOrder) -> str:
        return order.issuer.name

    @staticmethod
    def resolve_is_overdue(order: TakedownOrder) -> bool:
        return order.is_overdue()

    @staticmethod
    def resolve_targets(order: TakedownOrder) -> list[OrderTarget]:
        return list(order.targets.all())


class DoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=services.MAX_TEXT_CHARS)


class RefuseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=services.MAX_TEXT_CHARS)


def _with_targets(orders: QuerySet[TakedownOrder]) -> QuerySet[TakedownOrder]:
    return orders.prefetch_related(Prefetch("targets", OrderTarget.objects.order_by("id")))


@router.get("/orders", response=list[OrderOut], auth=AUTH)
def order_list(
    request: HttpRequest,
    status: StatusFilter = StatusFilter.open,  # type: ignore[valid-type]
    limit: int = 50,
    offset: int = 0,
) -> Any:
    orders = orders_for_user(request.user)  # type: ignore[arg-type]
    if status.value == "open":
        orders = orders.filter(status__in=OPEN_STATUSES)
    elif status.value != "all":
        orders = orders.filter(status=status.value)
    orders = orders.annotate(
        is_closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("is_closed", "due_at", "-pk")
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return list(_with_targets(orders)[offset : offset + limit])


def _order(request: HttpRequest, order_id: int) -> TakedownOrder:
    return get_order_for_user(request.user, order_id)  # type: ignore[arg-type]


def _answer(call: Any, order: TakedownOrder, **kwargs: Any) -> TakedownOrder:
    try:
        call(order, **kwargs)
    except services.OrderError as exc:
        raise HttpError(exc.http_status, exc.message) from None
    order.refresh_from_db()
    return order


@router.get("/orders/{order_id}", response=OrderOut, auth=AUTH)
def order_detail(request: HttpRequest, order_id: int) -> Any:
    return _order(request, order_id)


@router.post("/orders/{order_id}/ack", response=OrderOut, auth=AUTH)
def order_ack(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    return _answer(services.provider_acknowledge, order, actor=request.user)


@router.post("/orders/{order_id}/done", response=OrderOut, auth=AUTH)
def order_done(
    request: HttpRequest, order_id: int, payload: Annotated[DoneIn | None, Body()] = None
) -> Any:
    order = _order(request, order_id)
    note = payload.note if payload is not None else ""
    return _answer(services.provider_done, order, actor=request.user, note=note)


@router.post("/orders/{order_id}/refuse", response=OrderOut, auth=AUTH)
def order_refuse(request: HttpRequest, order_id: int, payload: RefuseIn) -> Any:
    order = _order(request, order_id)
    if not payload.reason.strip():
        raise HttpError(422, _("Give the reason for refusing."))
    return _answer(services.provider_refuse, order, actor=request.user, reason=payload.reason)
