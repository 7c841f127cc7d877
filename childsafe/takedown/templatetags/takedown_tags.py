"""Template helpers of the takedown pages: readable domain names, and the orders of a
case for the case page."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from childsafe.lib.domains import domain_display
from childsafe.takedown.access import orders_for_user

register = template.Library()


@register.filter
def readable_domain(value: str) -> str:
    """The Unicode form of a punycode domain (``xn--...``), or the value as it is."""
    return domain_display(value) if "xn--" in value else value


@register.simple_tag(takes_context=True)
def case_orders(context: Any, case: Any) -> Any:
    """The case's orders that the user sees (none for roles without ``order.view``)."""
    user = context["request"].user
    orders = orders_for_user(user).filter(case=case).annotate(target_count=Count("targets"))
    return orders.order_by("-created_at", "-pk")
