"""The order life cycle: who may decide, drafting, approval (four eyes), rejection,
withdrawal, and the provider's answers."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from childsafe.cases.models import Case
from childsafe.orgs.models import Function, FunctionAssignment, Organisation, OrgKind, User
from childsafe.orgs.roles import Perm, role_has_perm
from childsafe.orgs.services import org_descendant_ids
from childsafe.reports.models import Category
from childsafe.takedown.models import (
    OPEN_STATUSES,
    OrderAction,
    OrderEventKind,
    OrderStatus,
    OrderTarget,
    TakedownOrder,
    TargetState,
)
from childsafe.takedown.services.common import (
    DECISION_MAX_CHARS,
    LEGAL_BASIS_MAX_CHARS,
    MAX_DEADLINE_HOURS,
    MAX_TEXT_CHARS,
    MIN_DEADLINE_HOURS,
    WITHDRAWABLE_STATUSES,
    _audit,
    _event,
    _refuse,
    _text,
)
from childsafe.takedown.services.mail import _send_refusal, _send_withdrawal, order_send
from childsafe.takedown.services.providers import provider_for_host
from childsafe.takedown.services.targets import Target, default_deadline_hours, parse_targets

log = logging.getLogger(__name__)

# --- Who may do what -------------------------------------------------------------------


def issuer_may_order(org: Organisation | None, day: dt.date) -> bool:
    """Whether ``org``, or an organisation above it, holds the takedown function on
    ``day``: the bodies allowed to request takedowns are data with validity dates."""
    chain: list[int] = []
    while org is not None and org.pk not in chain:
        if not org.is_active_on(day):
            return False
        chain.append(org.pk)
        org = org.parent
    if not chain:
        return False
    return (
        FunctionAssignment.objects.filter(
            function=Function.TAKEDOWN, organisation_id__in=chain, effective_from__lte=day
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .exists()
    )


def _in_issuer_scope(user: User, order: TakedownOrder) -> bool:
    """The user's organisation is the issuer or above it (the orders it sees)."""
    if user.organisation_id is None:
        return False
    return order.issuer_id in org_descendant_ids({user.organisation_id})


def can_decide(user: Any, order: TakedownOrder) -> bool:
    """Whether ``user`` may approve, decline or withdraw ``order`` at all."""
    return (
        isinstance(user, User)
        and role_has_perm(user.role, Perm.ORDER_APPROVE)
        and _in_issuer_scope(user, order)
    )


def can_approve(user: Any, order: TakedownOrder) -> bool:
    return (
        order.status == OrderStatus.DRAFT
        and can_decide(user, order)
        and order.created_by_id != user.pk
    )


def is_order_provider(user: Any, order: TakedownOrder) -> bool:
    return (
        isinstance(user, User)
        and role_has_perm(user.role, Perm.PROVIDER_PORTAL)
        and user.organisation_id is not None
        and user.organisation_id == order.provider_id
    )


# --- Drafting --------------------------------------------------------------------------


def _resolve_provider(targets: list[Target], day: dt.date, actor: Any) -> Organisation:
    found: dict[str, Organisation | None] = {
        t.host: provider_for_host(t.host, on=day) for t in targets
    }
    unknown = sorted(host for host, provider in found.items() if provider is None)
    if unknown:
        raise _refuse(
            "provider-unknown",
            _(
                "No provider in the register answers for %(hosts)s: choose the provider, "
                "or add its domains to the register."
            )
            % {"hosts": ", ".join(unknown)},
            field="provider",
            actor=actor,
        )
    providers = {p.pk: p for p in found.values() if p is not None}
    if len(providers) > 1:
        raise _refuse(
            "provider-several",
            _(
                "These targets belong to different providers (%(providers)s): make one "
                "order per provider."
            )
            % {"providers": ", ".join(sorted(str(p) for p in providers.values()))},
            field="targets",
            actor=actor,
        )
    return next(iter(providers.values()))


def _make_reference(pk: int, at: dt.datetime) -> str:
    return f"LG-{timezone.localtime(at):%Y}-{pk:06d}"


def order_draft(
    *,
    actor: User,
    targets: list[str],
    action: str,
    reason: str,
    legal_basis: str,
    instructions: str = "",
    deadline_hours: int | None = None,
    provider: Organisation | None = None,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> TakedownOrder:
    """Draft an order from the lines of ``targets`` (URLs or domains).

    Without ``provider`` the order goes to the provider whose scope holds every target's
    host; targets of several providers, or of none in the register, are refused. The
    deadline defaults to the rule in force (``default_deadline_hours``). ``case`` must
    be one the actor sees (the view loads it with ``get_case_for_user``).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not role_has_perm(actor.role, Perm.ORDER_DRAFT) or actor.organisation is None:
        raise _refuse(
            "draft-role",
            _("Your role may not draft takedown orders."),
            forbidden=True,
            actor=actor,
        )
    if not issuer_may_order(actor.organisation, day):
        raise _refuse(
            "draft-function",
            _("Your organisation does not hold the takedown function today."),
            forbidden=True,
            actor=actor,
        )
    if action not in OrderAction.values:
        raise _refuse("draft-action", _("Choose an action."), field="action", actor=actor)
    if reason not in Category.values:
        raise _refuse("draft-reason", _("Choose a reason."), field="reason", actor=actor)
    legal_basis = _text(
        legal_basis,
        max_chars=LEGAL_BASIS_MAX_CHARS,
        required=True,
        code="draft-legal-basis",
        message=_("Give the legal basis (at most %(n)d characters).")
        % {"n": LEGAL_BASIS_MAX_CHARS},
        field="legal_basis",
        actor=actor,
    )
    instructions = _text(
        instructions,
        max_chars=MAX_TEXT_CHARS,
        required=False,
        code="draft-instructions",
        message=_("Keep the instructions under %(n)d characters.") % {"n": MAX_TEXT_CHARS},
        field="instructions",
        actor=actor,
    )
    if deadline_hours is None:
        deadline_hours = default_deadline_hours(action, now=now)
    elif not MIN_DEADLINE_HOURS <= deadline_hours <= MAX_DEADLINE_HOURS:
        raise _refuse(
            "draft-deadline",
            _("The deadline must be between %(lo)d and %(hi)d hours.")
            % {"lo": MIN_DEADLINE_HOURS, "hi": MAX_DEADLINE_HOURS},
            field="deadline_hours",
            actor=actor,
        )
    parsed = parse_targets(targets, action=action, actor=actor)
    if provider is None:
        provider = _resolve_provider(parsed, day, actor)
    elif provider.kind != OrgKind.SERVICE_PROVIDER or not provider.is_active_on(day):
        raise _refuse(
            "draft-provider",
            _("Choose a service provider that is in the register today."),
            field="provider",
            actor=actor,
        )
    with transaction.atomic():
        order = TakedownOrder.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:20]}",
            issuer=actor.organisation,
            provider=provider,
            case=case,
            action=action,
            reason=reason,
            legal_basis=legal_basis,
            instructions=instructions,
            deadline_hours=deadline_hours,
            created_by=actor,
            created_at=now,
        )
        order.reference = _make_reference(order.pk, now)
        order.save(update_fields=["reference"])
        OrderTarget.objects.bulk_create(
            OrderTarget(order=order, kind=t.kind, value=t.value, host=t.host) for t in parsed
        )
        _event(order, OrderEventKind.DRAFTED, at=now, actor=actor)
        _audit(
            "takedown.order_draft",
            actor=actor,
            obj=order,
            action=action,
            provider_id=provider.pk,
            case_id=case.pk if case else None,
            targets=len(parsed),
            deadline_hours=deadline_hours,
        )
    return order


# --- Approval, refusal of a draft, withdrawal --------------------------------------------


def _lock(order: TakedownOrder) -> None:
    """Lock ``order``'s row and reload it, so concurrent calls take turns and each
    sees the state the previous one left."""
    TakedownOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk").get()
    order.refresh_from_db()


def order_approve(
    order: TakedownOrder, *, actor: User, now: dt.datetime | None = None
) -> TakedownOrder:
    """Issue a draft: a second officer (not its author) of the issuing organisation, or
    one above it, approves. The deadline runs from now; the provider is e-mailed once the
    transaction commits; a blocking order's targets go on the authority list."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(order)
        if not can_decide(actor, order):
            raise _refuse(
                "approve-role", _("You may not approve this order."), forbidden=True, actor=actor
            )
        if order.status != OrderStatus.DRAFT:
            raise _refuse(
                "approve-state", _("This order is no longer awaiting approval."), actor=actor
            )
        if order.created_by_id == actor.pk:
            raise _refuse(
                "approve-four-eyes",
                _("You drafted this order: another officer must approve it (four eyes)."),
                forbidden=True,
                actor=actor,
            )
        day = timezone.localdate(now)
        if not issuer_may_order(order.issuer, day):
            raise _refuse(
                "approve-function",
                _("The issuing organisation does not hold the takedown function today."),
                forbidden=True,
                actor=actor,
            )
        if not order.provider.is_active_on(day):
            raise _refuse(
                "approve-provider", _("The provider is no longer in the register."), actor=actor
            )
        order.status = OrderStatus.ISSUED
        order.approved_by = actor
        order.issued_at = now
        order.due_at = now + dt.timedelta(hours=order.deadline_hours)
        order.save(update_fields=["status", "approved_by", "issued_at", "due_at"])
        order.targets.update(next_check_at=now)
        _event(order, OrderEventKind.APPROVED, at=now, actor=actor)
        _audit(
            "takedown.order_approve",
            actor=actor,
            obj=order,
            created_by_id=order.created_by_id,
            provider_id=order.provider_id,
            due_at=order.due_at.isoformat(),
        )
        if order.action == OrderAction.BLOCK:
            from childsafe.blocklist.services import BlocklistError, entries_publish_for_order

            try:
                entries_publish_for_order(order, actor=actor)
            except BlocklistError as exc:  # the approval rolls back with the entries
                raise _refuse("approve-blocklist", exc.message, actor=actor) from None
        transaction.on_commit(functools.partial(order_send, order.pk))
    return order


def order_reject(
    order: TakedownOrder, *, actor: User, reason: str, now: dt.datetime | None = None
) -> TakedownOrder:
    """Decline a draft, with the reason (its author may discard it this way too)."""
    now = now or timezone.now()
    reason = _text(
        reason,
        max_chars=MAX_TEXT_CHARS,
        required=True,
        code="reject-reason",
        message=_("Give the reason (at most %(n)d characters).") % {"n": MAX_TEXT_CHARS},
        field="reason",
        actor=actor,
    )
    with transaction.atomic():
        _lock(order)
        if not can_decide(actor, order):
            raise _refuse(
                "reject-role", _("You may not decide on this order."), forbidden=True, actor=actor
            )
        if order.status != OrderStatus.DRAFT:
            raise _refuse(
                "reject-state", _("This order is no longer awaiting approval."), actor=actor
            )
        order.status = OrderStatus.REJECTED
        order.closed_at = now
        order.save(update_fields=["status", "closed_at"])
        _event(order, OrderEventKind.REJECTED, at=now, actor=actor, text=reason)
        _audit("takedown.order_reject", actor=actor, obj=order)
    return order


def order_withdraw(
    order: TakedownOrder, *, actor: User, decision: str, now: dt.datetime | None = None
) -> TakedownOrder:
    """Lift an issued order (the decision in words, e.g. a court ruling): the checker
    stops, a blocking order's entries leave the authority list, the provider is told."""
    now = now or timezone.now()
    decision = _text(
        decision,
        max_chars=DECISION_MAX_CHARS,
        required=True,
        code="withdraw-decision",
        message=_("Give the decision (at most %(n)d characters).") % {"n": DECISION_MAX_CHARS},
        field="decision",
        actor=actor,
    )
    with transaction.atomic():
        _lock(order)
        if not can_decide(actor, order):
            raise _refuse(
                "withdraw-role", _("You may not withdraw this order."), forbidden=True, actor=actor
            )
        if order.status not in WITHDRAWABLE_STATUSES:
            raise _refuse(
                "withdraw-state", _("Only an issued order can be withdrawn."), actor=actor
            )
        order.status = OrderStatus.WITHDRAWN
        order.closed_at = now
        order.save(update_fields=["status", "closed_at"])
        order.targets.update(next_check_at=None)
        _event(order, OrderEventKind.WITHDRAWN, at=now, actor=actor, text=decision)
        _audit("takedown.order_withdraw", actor=actor, obj=order)
        if order.action == OrderAction.BLOCK:
            from childsafe.blocklist.services import BlocklistError, entries_lift_for_order

            try:
                entries_lift_for_order(order, decision=decision, actor=actor)
            except BlocklistError as exc:  # the withdrawal rolls back with the entries
                raise _refuse(
                    "withdraw-blocklist", exc.message, field=exc.field, actor=actor
                ) from None
        transaction.on_commit(functools.partial(_send_withdrawal, order.pk))
    return order


# --- The provider's answers --------------------------------------------------------------


def _provider_guard(order: TakedownOrder, actor: Any, code: str) -> None:
    if not is_order_provider(actor, order):
        raise _refuse(
            code, _("This order is not addressed to your company."), forbidden=True, actor=actor
        )


def provider_acknowledge(
    order: TakedownOrder, *, actor: User, now: dt.datetime | None = None
) -> TakedownOrder:
    """The provider has the order. Repeating it, or acknowledging an order already
    reported done, changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(order)
        _provider_guard(order, actor, "ack-provider")
        if order.status in (OrderStatus.ACKNOWLEDGED, OrderStatus.DONE, OrderStatus.VERIFIED):
            return order
        if order.status not in (OrderStatus.ISSUED, OrderStatus.REOPENED):
            raise _refuse(
                "ack-state",
                _("This order cannot be acknowledged: it is %(status)s.")
                % {"status": order.get_status_display()},
                actor=actor,
            )
        order.status = OrderStatus.ACKNOWLEDGED
        fields = ["status"]
        if order.acknowledged_at is None:
            order.acknowledged_at = now
            fields.append("acknowledged_at")
        order.save(update_fields=fields)
        _event(order, OrderEventKind.ACKNOWLEDGED, at=now, actor=actor)
        _audit("takedown.order_acknowledge", actor=actor, obj=order)
    return order


def provider_done(
    order: TakedownOrder, *, actor: User, note: str = "", now: dt.datetime | None = None
) -> TakedownOrder:
    """The provider reports the targets removed or blocked; the checker looks again
    at once. Repeating it changes nothing."""
    now = now or timezone.now()
    note = _text(
        note,
        max_chars=MAX_TEXT_CHARS,
        required=False,
        code="done-note",
        message=_("Keep the note under %(n)d characters.") % {"n": MAX_TEXT_CHARS},
        field="note",
        actor=actor,
    )
    with transaction.atomic():
        _lock(order)
        _provider_guard(order, actor, "done-provider")
        if order.status in (OrderStatus.DONE, OrderStatus.VERIFIED):
            return order
        if order.status not in OPEN_STATUSES:
            raise _refuse(
                "done-state",
                _("This order cannot be reported done: it is %(status)s.")
                % {"status": order.get_status_display()},
                actor=actor,
            )
        order.status = OrderStatus.DONE
        order.done_at = now
        fields = ["status", "done_at"]
        if order.acknowledged_at is None:
            order.acknowledged_at = now
            fields.append("acknowledged_at")
        order.save(update_fields=fields)
        order.targets.exclude(state=TargetState.GONE).update(next_check_at=now)
        _event(order, OrderEventKind.DONE, at=now, actor=actor, text=note)
        _audit("takedown.order_done", actor=actor, obj=order)
    return order


def provider_refuse(
    order: TakedownOrder, *, actor: User, reason: str, now: dt.datetime | None = None
) -> TakedownOrder:
    """The provider will not act, and says why; the drafting officer is e-mailed.
    Repeating it with the same reason changes nothing."""
    now = now or timezone.now()
    reason = _text(
        reason,
        max_chars=MAX_TEXT_CHARS,
        required=True,
        code="refuse-reason",
        message=_("Give the reason for refusing (at most %(n)d characters).")
        % {"n": MAX_TEXT_CHARS},
        field="reason",
        actor=actor,
    )
    with transaction.atomic():
        _lock(order)
        _provider_guard(order, actor, "refuse-provider")
        if order.status == OrderStatus.REFUSED and order.refusal_reason == reason:
            return order
        if order.status not in OPEN_STATUSES:
            raise _refuse(
                "refuse-state",
                _("This order cannot be refused: it is %(status)s.")
                % {"status": order.get_status_display()},
                actor=actor,
            )
        order.status = OrderStatus.REFUSED
        order.refused_at = now
        order.refusal_reason = reason
        order.save(update_fields=["status", "refused_at", "refusal_reason"])
        _event(order, OrderEventKind.REFUSED, at=now, actor=actor, text=reason)
        _audit("takedown.order_refuse", actor=actor, obj=order)
        transaction.on_commit(functools.partial(_send_refusal, order.pk))
    return order
