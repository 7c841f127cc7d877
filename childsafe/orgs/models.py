"""Organisations as a versioned tree, administrative units, functions, users."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.lib.crypto import EncryptedTextField
from childsafe.orgs.roles import TWO_FACTOR_ROLES, Role


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province or city")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune, ward or town")


class UnitEra(models.TextChoices):
    PRE_2025 = "pre2025", _("Three tiers (before 1 July 2025)")
    FROM_2025 = "2025", _("Two tiers (from 1 July 2025)")


class AdminUnit(models.Model):
    """An administrative unit (province, district, commune) snapshot from official codes.

    Units of both eras live side by side; ``successor`` links a pre-2025 unit to
    the unit that took over its territory.
    """

    era = models.CharField(_("era"), max_length=8, choices=UnitEra.choices)
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["era", "code"]
        constraints = [
            models.UniqueConstraint(fields=["era", "code"], name="adminunit_era_code_unique")
        ]
        verbose_name = _("administrative unit")

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("People's committee")
    DEPARTMENT = "department", _("Department")
    POLICE = "police", _("Police")
    PROCURACY = "procuracy", _("Procuracy")
    COURT = "court", _("Court")
    MASS_ORGANISATION = "mass_organisation", _("Fatherland Front or mass organisation")
    PRESS = "press", _("Press")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune people's committee")
    DISTRICT_COMMITTEE = "district_committee", _("District people's committee")
    SCHOOL = "school", _("School")
    SOCIAL_SUPPORT_FACILITY = "social_support", _("Social support facility")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")


class ProviderKind(models.TextChoices):
    ISP = "isp", _("Internet service provider")
    HOSTING = "hosting", _("Hosting company")
    PLATFORM = "platform", _("Online platform")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active_on(self, day: dt.date) -> OrganisationQuerySet:
        return self.filter(Q(effective_from__lte=day) | Q(effective_from__isnull=True)).filter(
            Q(effective_to__gte=day) | Q(effective_to__isnull=True)
        )


class Organisation(models.Model):
    """A unit that holds duties: an agency, a committee, a school, a provider.

    Organisations are never deleted: they end (``effective_to``) and hand over
    to successors through ``OrgSuccession`` rows.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    school_level = models.CharField(
        _("school level"), max_length=16, choices=SchoolLevel.choices, blank=True
    )
    provider_kind = models.CharField(
        _("provider kind"), max_length=10, choices=ProviderKind.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("location"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    email = models.EmailField(_("office e-mail"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="organisation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="school") | Q(school_level=""),
                name="organisation_school_level_only_for_schools",
            ),
            models.CheckConstraint(
                condition=Q(kind="service_provider") | Q(provider_kind=""),
                name="organisation_provider_kind_only_for_providers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Merged into")
    SPLIT = "split", _("Split into")
    RENAME = "rename", _("Renamed or reorganised as")


class OrgSuccession(models.Model):
    """One predecessor handing over (all or part of) its duties to one successor.

    A merge is several rows sharing a successor; a split is several rows
    sharing a predecessor.
    """

    predecessor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="successions_in"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SuccessionKind.choices)
    effective_on = models.DateField(_("effective on"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="orgsuccession_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="orgsuccession_not_self",
            ),
        ]


class Function(models.TextChoices):
    CHILD_PROTECTION = "child_protection", _("Child protection")
    TAKEDOWN = "takedown", _("Online content takedown requests")
    SCHOOL_FILTERING = "school_filtering", _("School filtering")
    CRIME_REPORTS = "crime_reports", _("Crime reports and denunciations")
    COUNSELLING = "counselling", _("Counselling and psychological support")
    TRAINING = "training", _("Training")
    PRESS = "press", _("Press and communication")
    INSPECTION = "inspection", _("Inspection of internet services")
    PROSECUTION = "prosecution", _("Prosecution")
    ADJUDICATION = "adjudication", _("Adjudication")


class FunctionAssignment(models.Model):
    """Which organisation holds a function, over which territory, and when."""

    function = models.CharField(_("function"), max_length=24, choices=Function.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="function_assignments"
    )
    territory = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty for the whole province."),
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["function", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="functionassignment_dates_ordered",
            )
        ]


class User(AbstractUser):
    """A staff member or provider contact; their organisation scopes what they see."""

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervisees"
    )

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES


class FocalPoint(models.Model):
    """A person an agency names as its contact for the programme (directive, item on focal points)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="focal_points"
    )
    full_name = EncryptedTextField(_("full name"))
    title = models.CharField(_("title"), max_length=120, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "since"]
        verbose_name = _("focal point")


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def new_secret() -> str:
        return "cs_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(raw: str) -> str:
        return _token_digest(raw)

    def is_usable(self, now: dt.datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return not (self.expires_at and now >= self.expires_at)
