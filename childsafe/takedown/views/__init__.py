"""Pages of the takedown app, by who uses them: ``orders`` (ICT officers draft, approve,
decline and withdraw orders), ``providers`` (the register of providers and their
scopes) and ``portal`` (provider contacts answer the orders addressed to them).

Every action is a POST to its own URL. Bad input renders the page again with 400 and
the form's message; an action the order's state does not allow, 409; success redirects
back to the order.
"""

from __future__ import annotations

from childsafe.takedown.views.orders import (
    order_approve,
    order_create,
    order_detail,
    order_list,
    order_reject,
    order_withdraw,
)
from childsafe.takedown.views.portal import (
    portal_order_ack,
    portal_order_detail,
    portal_order_done,
    portal_order_list,
    portal_order_refuse,
)
from childsafe.takedown.views.providers import (
    provider_detail,
    provider_list,
    provider_scope_add,
    provider_scope_delete,
)

__all__ = [
    "order_list",
    "order_create",
    "order_detail",
    "order_approve",
    "order_reject",
    "order_withdraw",
    "provider_list",
    "provider_detail",
    "provider_scope_add",
    "provider_scope_delete",
    "portal_order_list",
    "portal_order_detail",
    "portal_order_ack",
    "portal_order_done",
    "portal_order_refuse",
]
