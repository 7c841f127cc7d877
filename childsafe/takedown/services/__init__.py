"""Everything that can happen to a provider's scope or a takedown order
(``grep -n "^def order_\\|^def provider_"``).

- The register: ``provider_for_host`` addresses an order from a URL by the longest
  domain suffix among the providers' scopes; ``provider_scope_add``/``_remove``.
- The life cycle: an ICT officer drafts (``order_draft``), a second officer of the same
  organisation approves (``order_approve``, four eyes) or declines (``order_reject``);
  approval issues the order, e-mails the provider on commit and, for a blocking order,
  puts its targets on the authority list. The provider acknowledges, reports it done or
  refuses (``provider_acknowledge``, ``provider_done``, ``provider_refuse``); repeating
  the same call changes nothing. An officer may withdraw an issued order
  (``order_withdraw``), which lifts its authority-list entries.
- ``order_escalate_next`` (a worker job) e-mails the drafting officer's supervisor about
  one overdue order.

Each service runs in one transaction with its ``OrderEvent`` and audit event, and
raises ``OrderError`` for input it refuses (``field`` names the input) and for an action
the order's state does not allow (``field`` is empty). Audit details and logs carry ids,
counts and codes only: never a target, a note or a reason in words.

The package splits them by topic: ``common`` (the error and limits), ``providers``,
``targets`` (reading targets, default deadlines), ``orders`` (the life cycle),
``escalation`` and ``mail``.
"""

from __future__ import annotations

from childsafe.takedown.services.common import (
    DECISION_MAX_CHARS,
    DEFAULT_DEADLINE_HOURS,
    LEGAL_BASIS_MAX_CHARS,
    MAX_DEADLINE_HOURS,
    MAX_TARGETS,
    MAX_TEXT_CHARS,
    MIN_DEADLINE_HOURS,
    MIN_PREFIX,
    SYSTEM_ACTOR,
    WITHDRAWABLE_STATUSES,
    OrderError,
)
from childsafe.takedown.services.escalation import (
    order_escalate_next,
)
from childsafe.takedown.services.mail import (
    order_send,
)
from childsafe.takedown.services.orders import (
    can_approve,
    can_decide,
    is_order_provider,
    issuer_may_order,
    order_approve,
    order_draft,
    order_reject,
    order_withdraw,
    provider_acknowledge,
    provider_done,
    provider_refuse,
)
from childsafe.takedown.services.providers import (
    provider_for_host,
    provider_scope_add,
    provider_scope_remove,
)
from childsafe.takedown.services.targets import (
    Target,
    default_deadline_hours,
    default_legal_basis,
    parse_target,
    parse_targets,
)

__all__ = [
    "DECISION_MAX_CHARS",
    "DEFAULT_DEADLINE_HOURS",
    "LEGAL_BASIS_MAX_CHARS",
    "MAX_DEADLINE_HOURS",
    "MAX_TARGETS",
    "MAX_TEXT_CHARS",
    "MIN_DEADLINE_HOURS",
    "MIN_PREFIX",
    "OrderError",
    "SYSTEM_ACTOR",
    "Target",
    "WITHDRAWABLE_STATUSES",
    "can_approve",
    "can_decide",
    "default_deadline_hours",
    "default_legal_basis",
    "is_order_provider",
    "issuer_may_order",
    "order_approve",
    "order_draft",
    "order_escalate_next",
    "order_reject",
    "order_send",
    "order_withdraw",
    "parse_target",
    "parse_targets",
    "provider_acknowledge",
    "provider_done",
    "provider_for_host",
    "provider_refuse",
    "provider_scope_add",
    "provider_scope_remove",
]
