"""Verification of removal: the checker that fetches each target until it is gone.

``verify_next()`` is one step of the worker job ``verification``: it claims one due target
with a conditional update (so several workers can run side by side), fetches it through a
``childsafe.lib.fetch.Fetcher`` (pluggable: tests run it against a local HTTP server),
writes a ``VerificationCheck`` and moves the target and its order on.

Which targets are checked
    Targets of **removal** orders whose status is in ``CHECKED_STATUSES``. Blocking orders
    are never fetched: a block is enforced in the provider's network and cannot be seen
    from ours, so the provider's "done" is their confirmation. A target is due when its
    ``next_check_at`` has passed, or at once when it has none and its order is not yet
    verified (a newly issued order). A domain target is fetched as ``http://<domain>/``
    (a move to HTTPS on the same host is followed).

What a fetch means (``classify``)
    - GONE: HTTP 404, 410 or 451; the name does not exist (NXDOMAIN) or has no address;
      a redirect to another host (platforms send removed posts to a login or home page
      elsewhere; the redirect is recorded, never followed); a redirect on the same host to
      the site root ``/`` when the target was a deeper page (error ``root-redirect``).
    - PRESENT: any 2xx answer. The content hash is recorded; a changed hash still counts
      as present (pages change around the content). A body cut at the size limit is
      present too (error ``too-large``, hash of what was read).
    - ERROR (the target is "unreachable"): time-outs, connection and protocol errors,
      refused (private) addresses, 5xx, 429 and every other status (401 and 403 too: a
      checker blocked by a firewall must not read as removal). An error never counts as
      gone.

Schedule
    Every 15 minutes while the order is open or awaiting verification, backing off on
    consecutive errors (15 min doubling up to 6 hours); once the order is verified,
    daily for 30 days after removal, then no more. A claim holds the target for 10
    minutes, so a worker that dies mid-fetch does not lose it.

What it records
    - A target seen gone for the first time (in a row): ``gone_at`` and the order event
      TARGET_GONE. When every target of the order has gone: the order is VERIFIED,
      ``removed_at`` is the latest target's ``gone_at``, event VERIFIED, audit
      ``takedown.order_verify``.
    - A gone target seen present again: ``came_back_at``, ``gone_at`` cleared, event
      CAME_BACK. If the order was VERIFIED or DONE it is REOPENED: a new ``due_at``
      (now + ``deadline_hours``), ``removed_at`` and ``escalated_at`` cleared, audit
      ``takedown.order_reopen``, and on commit an e-mail to the provider's active
      provider-contact users naming the reference, the host and the new deadline (never
      the content or the address). An order still open just gets the event.
    - An error: the target's state becomes "unreachable", its ``gone_at`` is kept.
Nothing of the content is kept but its SHA-256, and no URL is logged.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.audit.services import audit_record
from childsafe.lib.fetch import Fetcher, FetchResult, HttpFetcher, Resolver
from childsafe.orgs.models import User
from childsafe.orgs.roles import Role
from childsafe.takedown.models import (
    CHECKED_STATUSES,
    CheckOutcome,
    OrderAction,
    OrderEvent,
    OrderEventKind,
    OrderStatus,
    OrderTarget,
    TakedownOrder,
    TargetKind,
    TargetState,
    VerificationCheck,
)

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:checker"
CHECK_EVERY = dt.timedelta(minutes=15)
ERROR_BACKOFF_MAX = dt.timedelta(hours=6)
CHECK_EVERY_AFTER_REMOVAL = dt.timedelta(days=1)
WATCH_AFTER_REMOVAL = dt.timedelta(days=30)
CLAIM_HOLD = dt.timedelta(minutes=10)
GONE_STATUSES = frozenset({404, 410, 451})
# Orders whose targets are checked at once when they have no next check yet.
_START_STATUSES = CHECKED_STATUSES - {OrderStatus.VERIFIED}
# Orders that reopen when a gone target comes back.
_REOPEN_STATUSES = frozenset({OrderStatus.VERIFIED, OrderStatus.DONE})


def checker_fetcher(resolver: Resolver | None = None) -> HttpFetcher:
    """The fetcher with the limits from settings (``CHILDSAFE_CHECKER_*``)."""
    return HttpFetcher(
        time_limit_secs=float(settings.CHILDSAFE_CHECKER_TIMEOUT_SECS),
        max_bytes=int(settings.CHILDSAFE_CHECKER_MAX_KB) * 1024,
        allow_private=bool(settings.CHILDSAFE_CHECKER_ALLOW_PRIVATE),
        resolver=resolver,
    )


def target_url(target: OrderTarget) -> str:
    """The address the checker fetches for a target."""
    if target.kind == TargetKind.DOMAIN:
        return f"http://{target.value}/"
    return target.value


def classify(result: FetchResult, url: str) -> tuple[str, str]:
    """(outcome, error word) of one fetch of ``url``; see the module docstring."""
    start_path = urlsplit(url).path or "/"
    if start_path != "/" and any((urlsplit(hop).path or "/") == "/" for hop in result.trail):
        return CheckOutcome.GONE, "root-redirect"
    if result.error in ("nxdomain", "no-address", "other-host"):
        return CheckOutcome.GONE, result.error
    if result.error:
        return CheckOutcome.ERROR, result.error
    status = result.status or 0
    if status in GONE_STATUSES:
        return CheckOutcome.GONE, ""
    if 200 <= status < 300:
        return CheckOutcome.PRESENT, "too-large" if result.truncated else ""
    return CheckOutcome.ERROR, f"http-{status}"


# --- Claiming ------------------------------------------------------------------------


def _due(now: dt.datetime) -> QuerySet[OrderTarget]:
    return OrderTarget.objects.filter(
        order__action=OrderAction.REMOVE, order__status__in=CHECKED_STATUSES
    ).filter(
        Q(next_check_at__lte=now)
        | Q(next_check_at__isnull=True, order__status__in=_START_STATUSES)
    )


def target_claim(target_id: int, seen: dt.datetime | None, *, now: dt.datetime) -> bool:
    """Hold a due target for this worker, if its ``next_check_at`` is still ``seen``."""
    rows = _due(now).filter(pk=target_id)
    rows = (
        rows.filter(next_check_at__isnull=True)
        if seen is None
        else rows.filter(next_check_at=seen)
    )
    return rows.update(next_check_at=now + CLAIM_HOLD) == 1


def target_claim_next(*, now: dt.datetime) -> OrderTarget | None:
    """Claim the target due longest (new ones first); ``None`` if none is due."""
    while True:
        row = (
            _due(now)
            .order_by(F("next_check_at").asc(nulls_first=True), "pk")
            .values_list("pk", "next_check_at")
            .first()
        )
        if row is None:
            return None
        if target_claim(row[0], row[1], now=now):
            return OrderTarget.objects.select_related("order").get(pk=row[0])
        # Another worker took it: look again.


# --- One step --------------------------------------------------------------------------


def verify_next(
    now: dt.datetime | None = None, fetcher: Fetcher | None = None
) -> VerificationCheck | None:
    """Check one due target; ``None`` if none is due. The fetch runs outside any transaction."""
    now = now or timezone.now()
    target = target_claim_next(now=now)
    if target is None:
        return None
    url = target_url(target)
    result = (fetcher or checker_fetcher()).fetch(url)
    outcome, error = classify(result, url)
    with transaction.atomic():
        order = TakedownOrder.objects.select_for_update().get(pk=target.order_id)
        target = OrderTarget.objects.get(pk=target.pk)
        check = VerificationCheck.objects.create(
            target=target,
            at=now,
            outcome=outcome,
            http_status=result.status,
            redirect_to=result.redirect_to[:2048],
            content_sha256=result.sha256,
            error=error[:40],
        )
        _record(order, target, outcome, sha256=result.sha256, now=now)
    log.info("checked target %s of order %s: %s %s", target.pk, order.pk, outcome, error)
    return check


def _record(
    order: TakedownOrder, target: OrderTarget, outcome: str, *, sha256: str, now: dt.datetime
) -> None:
    fields = ["state", "last_checked_at"]
    target.last_checked_at = now
    if outcome == CheckOutcome.GONE:
        target.state = TargetState.GONE
        if target.gone_at is None:
            target.gone_at = now
            fields.append("gone_at")
            OrderEvent.objects.create(
                order=order, kind=OrderEventKind.TARGET_GONE, at=now, target=target
            )
    elif outcome == CheckOutcome.PRESENT:
        target.state = TargetState.PRESENT
        if not target.first_sha256 and sha256:
            target.first_sha256 = sha256
            fields.append("first_sha256")
        if target.gone_at is not None:
            target.gone_at = None
            target.came_back_at = now
            fields += ["gone_at", "came_back_at"]
            OrderEvent.objects.create(
                order=order, kind=OrderEventKind.CAME_BACK, at=now, target=target
            )
            if order.status in _REOPEN_STATUSES:
                _reopen(order, target, now=now)
    else:
        target.state = TargetState.UNREACHABLE
    # Saved before the order looks at all its targets.
    target.save(update_fields=fields)
    if outcome == CheckOutcome.GONE and order.status in _START_STATUSES:
        _verify_if_all_gone(order, now=now)
    target.next_check_at = _next_check_at(order, target, outcome, now=now)
    target.save(update_fields=["next_check_at"])


def _verify_if_all_gone(order: TakedownOrder, *, now: dt.datetime) -> None:
    gone = list(order.targets.values_list("gone_at", flat=True))
    if not gone or any(at is None for at in gone):
        return
    order.status = OrderStatus.VERIFIED
    order.removed_at = max(at for at in gone if at is not None)
    order.save(update_fields=["status", "removed_at"])
    OrderEvent.objects.create(order=order, kind=OrderEventKind.VERIFIED, at=now)
    audit_record(
        "takedown.order_verify",
        actor=SYSTEM_ACTOR,
        obj=order,
        detail={"targets": len(gone), "removed_at": order.removed_at.isoformat()},
    )
    log.info("order %s verified", order.pk)


def _reopen(order: TakedownOrder, target: OrderTarget, *, now: dt.datetime) -> None:
    previous = order.status
    order.status = OrderStatus.REOPENED
    order.due_at = now + dt.timedelta(hours=order.deadline_hours)
    order.removed_at = None
    order.escalated_at = None
    order.save(update_fields=["status", "due_at", "removed_at", "escalated_at"])
    audit_record(
        "takedown.order_reopen",
        actor=SYSTEM_ACTOR,
        obj=order,
        detail={"target_id": target.pk, "from": previous, "due_at": order.due_at.isoformat()},
    )
    log.info("order %s reopened: target %s came back", order.pk, target.pk)
    contacts = User.objects.filter(
        organisation_id=order.provider_id, role=Role.PROVIDER_CONTACT, is_active=True
    )
    addresses = sorted({u.email for u in contacts if u.email})
    if not addresses:
        log.warning("order %s reopened: the provider has no contact to e-mail", order.pk)
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _came_back_mail(order, target)
    for to in addresses:
        transaction.on_commit(functools.partial(_send, subject, body, to))


def _came_back_mail(order: TakedownOrder, target: OrderTarget) -> tuple[str, str]:
    """Reference, host and new deadline only: never the content or the full address."""
    assert order.due_at is not None
    due = timezone.localtime(order.due_at).strftime("%d/%m/%Y %H:%M")
    subject = _("[ChildSafe] Content came back: order %(ref)s is reopened") % {
        "ref": order.reference
    }
    body = "\n".join(
        [
            _("Content that order %(ref)s asked you to remove is online again on %(host)s.")
            % {"ref": order.reference, "host": target.host},
            _("The order is reopened. Remove the content again by %(due)s.") % {"due": due},
            _("See the order in the provider portal of ChildSafe."),
        ]
    )
    return subject, body


def _send(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        # The reopening is recorded; a mail server outage must not stop the worker.
        log.exception("could not send a came-back notice")


def _next_check_at(
    order: TakedownOrder, target: OrderTarget, outcome: str, *, now: dt.datetime
) -> dt.datetime | None:
    if order.status not in CHECKED_STATUSES or order.action != OrderAction.REMOVE:
        return None
    if order.status == OrderStatus.VERIFIED:
        if order.removed_at is None or now >= order.removed_at + WATCH_AFTER_REMOVAL:
            return None
        return now + CHECK_EVERY_AFTER_REMOVAL
    if outcome != CheckOutcome.ERROR:
        return now + CHECK_EVERY
    errors = 0
    for past in target.checks.order_by("-at", "-id").values_list("outcome", flat=True)[:8]:
        if past != CheckOutcome.ERROR:
            break
        errors += 1
    return now + min(CHECK_EVERY * 2 ** max(errors - 1, 0), ERROR_BACKOFF_MAX)
