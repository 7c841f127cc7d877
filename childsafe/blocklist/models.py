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


# --- School filtering policy (issue 5; docs/school-filter.md) -----------------------------


class Tier(models.TextChoices):
    """Age tiers of a school's clients, strictest first."""

    PRIMARY = "primary", _("Primary (6-11)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary (11-15)")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary (15-18)")
    STAFF = "staff", _("Staff")


class FilterCategory(models.TextChoices):
    ADULT = "adult", _("Adult content")
    GAMBLING = "gambling", _("Gambling")
    VIOLENCE = "violence", _("Violence and gore")
    SELF_HARM = "self_harm", _("Self-harm and suicide")
    DRUGS = "drugs", _("Drugs")
    WEAPONS = "weapons", _("Weapons")
    DATING = "dating", _("Dating")
    PROXY_VPN = "proxy_vpn", _("Anonymising proxies and VPNs")
    MALWARE = "malware", _("Malware and phishing")
    GAMES = "games", _("Games")
    SOCIAL = "social", _("Social networks")


class CategoryList(models.Model):
    """A named list of domains in one category, from one source under one licence.
    Its content is the ``active_version``; older versions stay for rollback."""

    category = models.CharField(_("category"), max_length=16, choices=FilterCategory.choices)
    name = models.CharField(_("name"), max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=500)
    licence = models.CharField(_("licence"), max_length=200)
    active_version = models.ForeignKey(
        "CategoryListVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("category list")
        verbose_name_plural = _("category lists")

    def __str__(self) -> str:
        return self.name


class CategoryListVersion(models.Model):
    """One imported content of a list: its canonical domains, sorted, newline-joined
    and zlib-compressed in one blob (a million names is one row of a few megabytes,
    written and read in one go, instead of a million rows)."""

    category_list = models.ForeignKey(
        CategoryList, on_delete=models.CASCADE, related_name="versions"
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_format = models.CharField(_("format"), max_length=16)
    entry_count = models.PositiveIntegerField(_("domains"))
    skipped_count = models.PositiveIntegerField(_("lines skipped"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid lines"), default=0)
    # sha256 of the uncompressed, newline-joined domains.
    sha256 = models.CharField(max_length=64)
    domains_blob = models.BinaryField()

    class Meta:
        ordering = ["category_list", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.category_list_id}@{self.created_at:%Y-%m-%d %H:%M}"


class TierRule(models.Model):
    """Whether a category is blocked for a tier, maybe only at scheduled times: a
    province default (``school`` empty) or one school's override."""

    school = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="filter_rules",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    category = models.CharField(_("category"), max_length=16, choices=FilterCategory.choices)
    is_blocked = models.BooleanField(_("blocked"), default=True)
    # [{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}]; empty: at all times.
    schedule = models.JSONField(_("schedule"), default=list, blank=True)
    # A school's rule set by the education officer, who may block less than the province
    # default; a rule the school set blocks at least as much, and if the default becomes
    # stricter later, the compiled policy follows the default (``compile._rules``).
    may_loosen = models.BooleanField(_("set by the education officer"), default=False)

    class Meta:
        ordering = ["tier", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "category"],
                condition=Q(school__isnull=True),
                name="tierrule_province_default_unique",
            ),
            models.UniqueConstraint(
                fields=["school", "tier", "category"],
                condition=Q(school__isnull=False),
                name="tierrule_school_unique",
            ),
        ]


class SchoolNetwork(models.Model):
    """A client subnet of a school and the tier of its clients."""

    school = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_networks"
    )
    cidr = models.CharField(_("network"), max_length=64)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)

    class Meta:
        ordering = ["school", "cidr"]
        constraints = [
            models.UniqueConstraint(fields=["school", "cidr"], name="schoolnetwork_unique"),
        ]


class SchoolListKind(models.TextChoices):
    ALLOW = "allow", _("Allow")
    DENY = "deny", _("Deny")


class SchoolListStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class SchoolListEntry(models.Model):
    """A school's own exception: a deny entry (in force at once) or an allow request,
    in force once the education officer approves it."""

    school = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_list_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SchoolListKind.choices)
    domain = models.CharField(_("domain"), max_length=253)
    status = models.CharField(_("status"), max_length=12, choices=SchoolListStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    justification = models.CharField(_("why"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)

    class Meta:
        ordering = ["school", "kind", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "domain"], name="schoollistentry_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class BlockMode(models.TextChoices):
    NXDOMAIN = "nxdomain", _("No such domain (NXDOMAIN)")
    BLOCKPAGE = "blockpage", _("Block page")


class SchoolFilterSettings(models.Model):
    school = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_settings"
    )
    block_mode = models.CharField(
        _("blocked answers"), max_length=12, choices=BlockMode.choices, default=BlockMode.NXDOMAIN
    )
    block_ipv4 = models.GenericIPAddressField(_("block page IPv4"), protocol="IPv4", null=True)
    block_ipv6 = models.GenericIPAddressField(_("block page IPv6"), protocol="IPv6", null=True)
    default_tier = models.CharField(
        _("tier outside the listed networks"),
        max_length=16,
        choices=Tier.choices,
        default=Tier.PRIMARY,
    )
    # Where the worker sends a DNS NOTIFY after each change to the school's policy
    # ("203.0.113.5:53", "[2001:db8::5]:53"); empty: the box only polls.
    box_notify = models.CharField(_("filter box NOTIFY address"), max_length=60, blank=True)
    # The time of the last policy change a NOTIFY was sent for (job ``filter-notify``).
    box_notified_change_at = models.DateTimeField(_("last change notified"), null=True)


class FilterStats(models.Model):
    """Queries a school's filter answered in one hour, per tier and outcome (``forward``,
    ``allow``, ``safesearch``, ``authority``, ``deny`` or the blocking category). Counts
    only: no client address, no per-device log. An upload replaces a whole hour."""

    school = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_stats"
    )
    hour = models.DateTimeField(_("hour"))
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    outcome = models.CharField(_("outcome"), max_length=32)
    count = models.PositiveBigIntegerField(_("queries"))

    class Meta:
        ordering = ["school", "hour", "tier", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "hour", "tier", "outcome"], name="filterstats_unique"
            ),
        ]


class FilterTopDomain(models.Model):
    """The most blocked names of a school's filter on one (UTC) day; an upload replaces
    the whole day."""

    school = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_top_domains"
    )
    day = models.DateField(_("day"))
    domain = models.CharField(_("domain"), max_length=253)
    count = models.PositiveBigIntegerField(_("blocked queries"))

    class Meta:
        ordering = ["school", "day", "-count", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "day", "domain"], name="filtertopdomain_unique"
            ),
        ]


class FilterBoxStatus(models.Model):
    """When a school's filter last fetched its policy (and which version it has) and
    last sent its counts: a silent box shows here."""

    school = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="filter_box_status"
    )
    last_policy_fetch_at = models.DateTimeField(_("last policy download"), null=True)
    policy_version = models.CharField(_("policy version"), max_length=80, blank=True)
    last_stats_at = models.DateTimeField(_("last stats upload"), null=True)


class QueryLogPeriod(models.Model):
    """A period in which a school's filter keeps a per-device query log (on the box, at
    most 7 days), enabled by the school IT admin with a recorded reason. Ending it early
    sets ``ended_early_at``; the period is over at the earlier of that and ``ends_at``."""

    MAX_DAYS = 7

    school = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="query_log_periods"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enabled_at = models.DateTimeField(_("enabled"), default=timezone.now)
    ended_early_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    ended_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["school", "-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="querylogperiod_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["school", "ends_at"], name="querylogperiod_school_end")]

    @property
    def over_at(self) -> dt.datetime:
        """When logging stops: ``ends_at``, or earlier if it was ended early."""
        if self.ended_early_at is not None and self.ended_early_at < self.ends_at:
            return self.ended_early_at
        return self.ends_at

    def is_active(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.over_at

    def can_end(self, now: dt.datetime | None = None) -> bool:
        """Not over yet (active or still to come)."""
        return (now or timezone.now()) < self.over_at
