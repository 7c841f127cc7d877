"""The authority blocklist and the journal of its zone.

``AuthorityEntry`` rows are what the authorities ordered blocked: the targets of active
blocking orders (published by the takedown app) and entries added by hand with a reason
and a review date. An entry is active until it is lifted or expires, both recorded
decisions. Every change to what the DNS feeds contain is a ``ZoneChange`` in the
journal, numbered by the zone's serial, which only grows: the zone server answers IXFR
from it and the feeds take their ETag from it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.reports.models import Category


class EntryKind(models.TextChoices):
    # A domain blocks the name and every name below it (RPZ: the name and its wildcard).
    DOMAIN = "domain", _("Domain and its subdomains")
    # A URL cannot be blocked by DNS without blocking its whole host: URL entries go to
    # the JSON feed, for filters that look at URLs, and not to the DNS feeds.
    URL = "url", _("Web address")


class EntrySource(models.TextChoices):
    ORDER = "order", _("Blocking order")
    MANUAL = "manual", _("Added by hand")


class AuthorityEntryQuerySet(models.QuerySet["AuthorityEntry"]):
    def active(self, now: dt.datetime | None = None) -> AuthorityEntryQuerySet:
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class AuthorityEntry(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    # A domain in punycode, lower case, no trailing dot; or a normalised URL.
    value = models.CharField(_("domain or address"), max_length=2048)
    # The domain for DOMAIN entries; the URL's host for URL entries.
    host = models.CharField(_("host"), max_length=253, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Category.choices)
    source = models.CharField(_("source"), max_length=8, choices=EntrySource.choices)
    # For order entries: the order's reference and the target's id ("LG-2026-000012/34").
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    note = models.CharField(_("reason in words"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_decision = models.CharField(_("decision to lift"), max_length=300, blank=True)
    # Set when an expired entry has been taken out of the zone by the sweep.
    expiry_processed_at = models.DateTimeField(null=True, blank=True)

    objects = AuthorityEntryQuerySet.as_manager()

    class Meta:
        ordering = ["host", "value", "id"]
        verbose_name = _("authority list entry")
        verbose_name_plural = _("authority list entries")
        indexes = [models.Index(fields=["lifted_at", "expires_at"])]

    def __str__(self) -> str:
        return self.value

    def is_active(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > now)


class Zone(models.Model):
    """A zone the feeds and the zone server publish, with its serial."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    serial = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # How the records are written (``zones.RpzMode``) at this serial: when the setting
    # changes, the next snapshot records a reset so secondaries take the whole zone.
    mode = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return self.name


class ZoneChange(models.Model):
    """One step of a zone's journal: the domains added and removed to reach ``serial``.

    ``reset`` marks a change the journal cannot express domain by domain (the answer
    mode changed, say): IXFR from before it falls back to a full transfer.
    """

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="changes")
    serial = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    added = models.JSONField(default=list)
    removed = models.JSONField(default=list)
    reset = models.BooleanField(default=False)

    class Meta:
        ordering = ["zone", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "serial"], name="zonechange_serial_unique"),
        ]
