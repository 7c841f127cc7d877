"""E-mails about orders: to providers on issue, withdrawal and reopening; to supervisors
when overdue. Nothing about the case or the child is ever in them."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.orgs.models import User
from childsafe.orgs.roles import Role
from childsafe.takedown.models import (
    OrderEventKind,
    OrderStatus,
    TakedownOrder,
)
from childsafe.takedown.services.common import _audit, _event

log = logging.getLogger(__name__)

# --- E-mail ------------------------------------------------------------------------------


def _link(name: str, order_id: int) -> str:
    path = reverse(name, args=[order_id])
    return settings.CHILDSAFE_PUBLIC_URL + path


def _local(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else ""


def _provider_addresses(order: TakedownOrder) -> list[str]:
    """The provider's office address and its active contacts' addresses."""
    contacts = User.objects.filter(
        organisation_id=order.provider_id, role=Role.PROVIDER_CONTACT, is_active=True
    ).exclude(email="")
    found = [order.provider.email] if order.provider.email else []
    for email in contacts.order_by("pk").values_list("email", flat=True):
        if email not in found:
            found.append(email)
    return found


def _order_mail(order: TakedownOrder) -> tuple[str, str]:
    """What the provider needs to act, and nothing of the case or the child."""
    subject = _("[ChildSafe] Order %(ref)s: %(action)s by %(due)s") % {
        "ref": order.reference,
        "action": order.get_action_display(),
        "due": _local(order.due_at),
    }
    lines = [
        _("%(issuer)s orders %(provider)s:")
        % {"issuer": order.issuer, "provider": order.provider},
        "",
        _("Order: %(ref)s") % {"ref": order.reference},
        _("Action: %(action)s") % {"action": order.get_action_display()},
        _("Reason: %(reason)s") % {"reason": order.get_reason_display()},
        _("Legal basis: %(basis)s") % {"basis": order.legal_basis},
        _("Deadline: %(due)s (%(hours)d hours after issue)")
        % {"due": _local(order.due_at), "hours": order.deadline_hours},
        "",
        _("Targets:"),
        *[f"- {t.value}" for t in order.targets.all()],
    ]
    if order.instructions:
        lines += ["", _("Instructions:"), order.instructions]
    lines += [
        "",
        _("Acknowledge, confirm or refuse the order in the provider portal: %(link)s")
        % {"link": _link("takedown-portal-order-detail", order.pk)},
        _("or through the API: POST /api/v1/provider/orders/%(id)d/ack, /done or /refuse.")
        % {"id": order.pk},
    ]
    return subject, "\n".join(lines)


def order_send(order_id: int) -> bool:
    """E-mail an issued order to its provider and record when (a ``SENT`` event).
    Runs after the approval commits; answers whether anything was sent."""
    order = TakedownOrder.objects.select_related("issuer", "provider").get(pk=order_id)
    if order.sent_at is not None or order.status == OrderStatus.DRAFT:
        return False
    addresses = _provider_addresses(order)
    if not addresses:
        log.warning("order %s: the provider has no e-mail address", order.pk)
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _order_mail(order)
    sent = [address for address in addresses if _send(subject, body, [address])]
    if not sent:
        return False
    now = timezone.now()
    with transaction.atomic():
        if TakedownOrder.objects.filter(pk=order.pk, sent_at__isnull=True).update(sent_at=now):
            _event(order, OrderEventKind.SENT, at=now)
            _audit("takedown.order_send", actor=None, obj=order, recipients=len(sent))
    return True


def _send_withdrawal(order_id: int) -> None:
    order = TakedownOrder.objects.select_related("issuer", "provider").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[ChildSafe] Order %(ref)s is withdrawn") % {"ref": order.reference}
        body = "\n".join(
            [
                _("%(issuer)s has withdrawn order %(ref)s: nothing more is asked of you.")
                % {"issuer": order.issuer, "ref": order.reference},
                _("Details: %(link)s") % {"link": _link("takedown-portal-order-detail", order.pk)},
            ]
        )
    for address in _provider_addresses(order):
        _send(subject, body, [address])


def _send_refusal(order_id: int) -> None:
    order = TakedownOrder.objects.select_related("provider", "created_by").get(pk=order_id)
    if not order.created_by.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[ChildSafe] %(provider)s refused order %(ref)s") % {
            "provider": order.provider,
            "ref": order.reference,
        }
        body = _("Read the reason and decide what follows: %(link)s") % {
            "link": _link("takedown-order-detail", order.pk)
        }
    _send(subject, body, [order.created_by.email])


def _overdue_mail(order: TakedownOrder, why: str) -> tuple[str, str]:
    subject = _("[ChildSafe] Overdue: order %(ref)s to %(provider)s") % {
        "ref": order.reference,
        "provider": order.provider,
    }
    body = "\n".join(
        [
            _("Order %(ref)s to %(provider)s was due on %(due)s and is still %(status)s.")
            % {
                "ref": order.reference,
                "provider": order.provider,
                "due": _local(order.due_at),
                "status": order.get_status_display(),
            },
            why,
            _("Open the order: %(link)s") % {"link": _link("takedown-order-detail", order.pk)},
        ]
    )
    return subject, body


def _send(subject: str, body: str, to: list[str]) -> bool:
    try:
        send_mail(subject, body, None, to)
    except Exception:
        # The change is recorded; a mail server outage must not undo it or stop a worker.
        log.exception("could not send a takedown e-mail")
        return False
    return True
