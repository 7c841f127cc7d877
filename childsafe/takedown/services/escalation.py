"""Escalation of overdue orders (a worker job)."""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.orgs.models import User
from childsafe.orgs.roles import Perm, Role, role_has_perm
from childsafe.takedown.models import (
    OPEN_STATUSES,
    OrderEventKind,
    TakedownOrder,
)
from childsafe.takedown.services.common import _audit, _event
from childsafe.takedown.services.mail import _overdue_mail, _send

log = logging.getLogger(__name__)

# --- Escalation (a worker job) -----------------------------------------------------------


def _overdue(now: dt.datetime) -> QuerySet[TakedownOrder]:
    return TakedownOrder.objects.filter(
        status__in=OPEN_STATUSES, escalated_at__isnull=True, due_at__lt=now
    )


def order_escalate_next(now: dt.datetime | None = None) -> TakedownOrder | None:
    """Escalate the most overdue open order not yet escalated; ``None`` if there is none.

    The drafting officer's supervisor is e-mailed; without one (or without an
    address), the issuing organisation's other officers who may approve orders.
    """
    now = now or timezone.now()
    while True:
        order_id = _overdue(now).order_by("due_at", "pk").values_list("pk", flat=True).first()
        if order_id is None:
            return None
        with transaction.atomic():
            if _overdue(now).filter(pk=order_id).update(escalated_at=now) != 1:
                continue  # another worker took it
            order = TakedownOrder.objects.select_related(
                "provider", "issuer", "created_by__supervisor"
            ).get(pk=order_id)
            recipients = _escalation_recipients(order)
            _event(order, OrderEventKind.ESCALATED, at=now)
            _audit(
                "takedown.order_escalate",
                actor=None,
                obj=order,
                to_user_ids=[u.pk for u in recipients],
            )
            if not recipients:
                log.warning("overdue order %s: nobody to e-mail", order.pk)
            supervisor = order.created_by.supervisor
            for user in recipients:
                with translation.override(settings.LANGUAGE_CODE):
                    why = (
                        _("It was drafted by %(name)s, whom you supervise.")
                        if supervisor is not None and user.pk == supervisor.pk
                        else _(
                            "It was drafted by %(name)s, whose supervisor could not be "
                            "reached: you may approve orders in the same organisation."
                        )
                    ) % {"name": order.created_by}
                    subject, body = _overdue_mail(order, why)
                transaction.on_commit(functools.partial(_send, subject, body, [user.email]))
            return order


def _escalation_recipients(order: TakedownOrder) -> list[User]:
    supervisor = order.created_by.supervisor
    if supervisor is not None and supervisor.is_active and supervisor.email:
        return [supervisor]
    officers = User.objects.filter(
        organisation_id=order.issuer_id, role=Role.ICT_OFFICER, is_active=True
    ).exclude(Q(pk=order.created_by_id) | Q(email=""))
    return [u for u in officers.order_by("pk") if role_has_perm(u.role, Perm.ORDER_APPROVE)]
