"""Persons of interest (police only): offenders, their identifiers and matches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models.case import Case
from childsafe.lib.crypto import EncryptedTextField
from childsafe.orgs.models import Organisation
from childsafe.reports.models import Report


class PoiSource(models.TextChoices):
    EARLIER_CASE = "earlier_case", _("Earlier case")
    PRIOR_CONVICTION = "prior_conviction", _("Prior conviction")


class PersonOfInterest(models.Model):
    """A known offender, kept by the police. Only ``poi.view`` roles ever read these rows,
    their identifiers or their matches (``cases/access.py``)."""

    label = EncryptedTextField(_("name or alias"))
    notes = EncryptedTextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=PoiSource.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("person of interest")


class IdentifierKind(models.TextChoices):
    HANDLE = "handle", _("Account handle")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("E-mail address")
    URL = "url", _("URL")


class OffenderIdentifier(models.Model):
    """An identifier of a person of interest: the value encrypted, and a keyed digest of
    its normalised form (``childsafe.cases.poi.match_digest``) to match reports with."""

    person = models.ForeignKey(
        PersonOfInterest, on_delete=models.PROTECT, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=IdentifierKind.choices)
    value = EncryptedTextField(_("value"))
    digest = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "digest"], name="offenderidentifier_once_per_person"
            ),
        ]


class PoiMatch(models.Model):
    """A report that named an identifier of a person of interest, found at triage."""

    identifier = models.ForeignKey(
        OffenderIdentifier, on_delete=models.PROTECT, related_name="matches"
    )
    person = models.ForeignKey(PersonOfInterest, on_delete=models.PROTECT, related_name="matches")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-matched_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier", "report"], name="poimatch_once_per_report"
            ),
        ]
