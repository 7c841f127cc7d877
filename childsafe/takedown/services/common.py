"""Shared pieces of the takedown services: the error, audit and timeline helpers and the limits."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from childsafe.audit.services import audit_record
from childsafe.orgs.models import User
from childsafe.takedown.models import (
    OrderEvent,
    OrderStatus,
    OrderTarget,
    TakedownOrder,
)

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:worker"
DEFAULT_DEADLINE_HOURS = 24
MIN_DEADLINE_HOURS = 1
MAX_DEADLINE_HOURS = 720
MAX_TARGETS = 100
MAX_TEXT_CHARS = 2000
LEGAL_BASIS_MAX_CHARS = 300
# A withdrawal's decision also lifts the order's authority-list entries, which keep 300.
DECISION_MAX_CHARS = 300
# Networks wider than these cannot be one provider's (a typing slip, or "the internet").
MIN_PREFIX = {4: 8, 6: 16}

# Issued orders an officer may still withdraw.
WITHDRAWABLE_STATUSES = frozenset(
    {
        OrderStatus.ISSUED,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.DONE,
        OrderStatus.VERIFIED,
        OrderStatus.REOPENED,
        OrderStatus.REFUSED,
    }
)


class OrderError(Exception):
    """A takedown action refused: bad input (``field`` names it), an action the user may
    not take on this order (``forbidden``), or one the order's state does not allow."""

    def __init__(self, message: str, *, field: str = "", forbidden: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.forbidden = forbidden

    @property
    def http_status(self) -> int:
        """400 for bad input, 403 for a forbidden action, 409 for the wrong state."""
        return 400 if self.field else 403 if self.forbidden else 409

    def __str__(self) -> str:
        return self.message


def _refuse(
    code: str, message: str, *, field: str = "", forbidden: bool = False, actor: Any = None
) -> OrderError:
    """Log a refusal (its code and the user's id only) and make the error to raise."""
    log.info("takedown refused (%s) for user %s", code, getattr(actor, "pk", None))
    return OrderError(message, field=field, forbidden=forbidden)


def _text(
    value: str,
    *,
    max_chars: int,
    required: bool,
    code: str,
    message: str,
    field: str,
    actor: Any,
) -> str:
    """``value`` stripped; refused with ``message`` when it is empty but ``required``,
    or longer than ``max_chars`` (never cut short)."""
    text = value.strip()
    if (required and not text) or len(text) > max_chars:
        raise _refuse(code, message, field=field, actor=actor)
    return text


def _audit(what: str, /, *, actor: Any, obj: Any, **detail: Any) -> None:
    audit_record(what, actor=actor if actor is not None else SYSTEM_ACTOR, obj=obj, detail=detail)


def _event(
    order: TakedownOrder,
    kind: str,
    *,
    at: dt.datetime,
    actor: Any = None,
    text: str = "",
    target: OrderTarget | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        at=at,
        actor=actor if isinstance(actor, User) else None,
        text=text,
        target=target,
    )
