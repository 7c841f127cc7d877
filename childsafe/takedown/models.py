"""Takedown and blocking orders to service providers.

A provider is an ``Organisation`` of kind ``service_provider``; ``ProviderScope`` rows
say which domains and networks it answers for, so an order can be addressed from a URL.
An order asks one provider to remove or block one or more targets by a deadline. It is
drafted by one officer and issued only when a second officer approves it (four eyes);
the provider acknowledges, confirms or refuses it in the portal or the API; a checker
fetches each target until it is gone and reopens the order if it comes back.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.lib.models import AppendOnlyModel
from childsafe.orgs.models import Organisation
from childsafe.reports.models import Category


class ScopeKind(models.TextChoices):
    DOMAIN = "domain", _("Domain and its subdomains")
    NETWORK = "network", _("IP network")


class ProviderScope(models.Model):
    """A domain (with every name below it) or an IP network a provider answers for."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="provider_scopes",
        limit_choices_to={"kind": "service_provider"},
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ScopeKind.choices)
    # A domain in punycode, lower case, no trailing dot; or a network in CIDR form.
    value = models.CharField(_("value"), max_length=253)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["provider__name", "kind", "value"]
        verbose_name = _("provider scope")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="providerscope_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class OrderAction(models.TextChoices):
    REMOVE = "remove", _("Remove the content")
    BLOCK = "block", _("Block access")


class TargetKind(models.TextChoices):
    URL = "url", _("Web address")
    DOMAIN = "domain", _("Domain and its subdomains")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the provider")
    DONE = "done", _("Done by the provider, being verified")
    VERIFIED = "verified", _("Removal verified")
    REOPENED = "reopened", _("Reopened: content came back")
    REFUSED = "refused", _("Refused by the provider")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Orders the provider still has to act on.
OPEN_STATUSES = frozenset({OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED, OrderStatus.REOPENED})
# Orders whose targets the checker keeps fetching.
CHECKED_STATUSES = frozenset(
    {
        OrderStatus.ISSUED,
        OrderStatus.ACKNOWLEDGED,
        OrderStatus.DONE,
        OrderStatus.VERIFIED,
        OrderStatus.REOPENED,
    }
)
# Blocking orders in these states put their targets on the authority list.
BLOCKING_STATUSES = CHECKED_STATUSES | {OrderStatus.REFUSED}


class TakedownOrder(models.Model):
    """An order to one provider to remove or block content, with its life cycle."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="takedown_orders_issued",
        verbose_name=_("issued by"),
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="takedown_orders",
        limit_choices_to={"kind": "service_provider"},
        verbose_name=_("provider"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="takedown_orders",
        verbose_name=_("case"),
    )
    action = models.CharField(_("action"), max_length=8, choices=OrderAction.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Category.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    # Shown to the provider: what to do, without personal data of the child.
    instructions = models.TextField(_("instructions to the provider"), blank=True)
    deadline_hours = models.PositiveIntegerField(_("deadline (hours after issue)"))
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent by e-mail"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    done_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removal verified"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("takedown order")
        indexes = [models.Index(fields=["provider", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="takedownorder_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status in OPEN_STATUSES
            and self.due_at is not None
            and (now or timezone.now()) > self.due_at
        )


class TargetState(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    PRESENT = "present", _("Still online")
    GONE = "gone", _("Gone")
    UNREACHABLE = "unreachable", _("Could not be checked")


class OrderTarget(models.Model):
    """One thing to remove or block: a URL, or a domain with its subdomains."""

    order = models.ForeignKey(TakedownOrder, on_delete=models.PROTECT, related_name="targets")
    kind = models.CharField(_("kind"), max_length=8, choices=TargetKind.choices)
    # A URL normalised by ``lib.urls.normalise_url``, or a domain in punycode.
    value = models.CharField(_("target"), max_length=2048)
    host = models.CharField(_("host"), max_length=253, db_index=True)

    state = models.CharField(
        _("state"), max_length=12, choices=TargetState.choices, default=TargetState.PENDING
    )
    # What the checker saw first, so that "gone" can be told from "changed".
    first_sha256 = models.CharField(max_length=64, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    gone_at = models.DateTimeField(_("gone since"), null=True, blank=True)
    came_back_at = models.DateTimeField(_("came back"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "value"], name="ordertarget_unique"),
        ]

    def __str__(self) -> str:
        return self.value


class OrderEventKind(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    APPROVED = "approved", _("Approved and issued")
    REJECTED = "rejected", _("Not approved")
    SENT = "sent", _("Sent by e-mail")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the provider")
    DONE = "done", _("Reported done by the provider")
    REFUSED = "refused", _("Refused by the provider")
    TARGET_GONE = "target_gone", _("Target verified gone")
    VERIFIED = "verified", _("Removal verified")
    CAME_BACK = "came_back", _("Content came back: reopened")
    ESCALATED = "escalated", _("Overdue: escalated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OrderEvent(AppendOnlyModel):
    """The order's timeline. ``actor`` is empty for the checker and the scheduler."""

    order = models.ForeignKey(TakedownOrder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=OrderEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        OrderTarget, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A short free text (a refusal reason, a withdrawal decision); never personal data.
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class CheckOutcome(models.TextChoices):
    PRESENT = "present", _("Still online")
    GONE = "gone", _("Gone")
    ERROR = "error", _("Could not be checked")


class VerificationCheck(AppendOnlyModel):
    """One fetch of a target by the checker. No content is kept, only its hash."""

    target = models.ForeignKey(OrderTarget, on_delete=models.PROTECT, related_name="checks")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=8, choices=CheckOutcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where a redirect pointed (same host only is followed); empty if none.
    redirect_to = models.CharField(max_length=2048, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    # A short machine-made reason ("timeout", "dns", "too-large", "other-host"...).
    error = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["at", "id"]
