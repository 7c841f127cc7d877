"""Who sees which order and provider: the only way views and the API load them.

- Roles holding ``order.view`` see the orders issued by their organisation and the units
  below it (ICT officers); province-wide roles (the coordinator) see every order.
- Provider contacts (``provider.portal``) see the orders addressed to their own company
  once issued: never a draft or a draft that was not approved.
- Everyone else sees none. Missing and not yours are the same 404; the refusal is logged
  with ids only.
- The provider register (service providers, their scopes and contacts) is for roles
  holding ``order.view``; changing scopes needs ``provider.manage`` (the views say so).
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import Http404

from childsafe.orgs.access import org_scope_ids
from childsafe.orgs.models import Organisation, OrgKind, User
from childsafe.orgs.roles import Perm, role_has_perm
from childsafe.takedown.models import OrderStatus, ProviderScope, TakedownOrder

log = logging.getLogger(__name__)

# Orders a provider never sees: they were never sent to it.
UNSENT_STATUSES = (OrderStatus.DRAFT, OrderStatus.REJECTED)


def orders_for_user(user: User) -> QuerySet[TakedownOrder]:
    orders = TakedownOrder.objects.select_related("issuer", "provider")
    if role_has_perm(user.role, Perm.PROVIDER_PORTAL):
        if user.organisation_id is None:
            return orders.none()
        return orders.filter(provider_id=user.organisation_id).exclude(status__in=UNSENT_STATUSES)
    if role_has_perm(user.role, Perm.ORDER_VIEW):
        ids = org_scope_ids(user)
        return orders if ids is None else orders.filter(issuer_id__in=ids)
    return orders.none()


def get_order_for_user(user: User, order_id: int) -> TakedownOrder:
    order = (
        orders_for_user(user)
        .select_related("case", "created_by", "approved_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        log.info("order %s is not in the scope of user %s", order_id, user.pk)
        raise Http404
    return order


def providers_for_user(user: User) -> QuerySet[Organisation]:
    if not role_has_perm(user.role, Perm.ORDER_VIEW):
        return Organisation.objects.none()
    return Organisation.objects.filter(kind=OrgKind.SERVICE_PROVIDER)


def get_provider_for_user(user: User, provider_id: int) -> Organisation:
    provider = providers_for_user(user).filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    return provider


def get_scope_for_user(user: User, provider: Organisation, scope_id: int) -> ProviderScope:
    """A scope of ``provider`` (from ``get_provider_for_user``), for roles that keep the
    register."""
    scope = ProviderScope.objects.filter(provider=provider, pk=scope_id).first()
    if scope is None or not role_has_perm(user.role, Perm.PROVIDER_MANAGE):
        raise Http404
    return scope
