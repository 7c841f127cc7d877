"""Reports of online harm to children, from any of the three doors, and their evidence.

A report never changes what the reporter said: staff work happens on the case
(``childsafe.cases``), which links reports through ``cases.CaseReport``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.lib.crypto import EncryptedBlobField, EncryptedTextField

# Limits on what one report may carry; the doors and the service share them.
DESCRIPTION_MAX_CHARS = 5000
SHORT_TEXT_MAX_CHARS = 200
PLATFORM_MAX_CHARS = 100
MAX_URLS_PER_REPORT = 20


class Category(models.TextChoices):
    CSAM = "csam", _("Child sexual abuse material")
    GROOMING = "grooming", _("Grooming or sexual solicitation")
    SEXTORTION = "sextortion", _("Sextortion")
    CYBERBULLYING = "cyberbullying", _("Cyberbullying")
    HARMFUL_CONTENT = (
        "harmful_content",
        _("Harmful content shown to children (violence, self-harm, gambling, drugs)"),
    )
    PRIVACY_EXPOSURE = "privacy_exposure", _("Exposure of a child's private life")
    SCAM = "scam", _("Scam aimed at children")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WEB = "web", _("Public reporting page")
    HOTLINE = "hotline", _("Hotline call")
    API = "api", _("API")


class AgeGroup(models.TextChoices):
    UNDER_6 = "under_6", _("Under 6")
    AGE_6_10 = "6_10", _("6 to 10")
    AGE_11_15 = "11_15", _("11 to 15")
    AGE_16_17 = "16_17", _("16 or 17")
    UNKNOWN = "unknown", _("Not known")


class ReporterRelation(models.TextChoices):
    CHILD = "child", _("I am the child")
    PARENT = "parent", _("Parent or carer")
    RELATIVE = "relative", _("Other family member")
    TEACHER = "teacher", _("Teacher or school staff")
    FRIEND = "friend", _("Friend")
    CITIZEN = "citizen", _("Other person")
    ORGANISATION = "organisation", _("Organisation or platform")


class PublicStatus(models.TextChoices):
    """What the reporter sees; staff notes never reach them."""

    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Being reviewed")
    FORWARDED = "forwarded", _("Passed to the responsible agency")
    CLOSED = "closed", _("Handled and closed")


def access_key_digest(raw: str) -> str:
    """Digest of a report's access key (the key itself is never stored).

    The key is random (about 80 bits), so a plain SHA-256 suffices, and it does
    not depend on ``SECRET_KEY``: rotating that key keeps every access key valid.
    """
    return hashlib.sha256(("report-access:" + raw).encode()).hexdigest()


class Report(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    access_key_digest = models.CharField(max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    platform = models.CharField(_("platform"), max_length=100, blank=True)
    description = EncryptedTextField(_("what happened"), blank=True)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    child_age_group = models.CharField(
        _("child's age"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    child_in_danger = models.BooleanField(_("a child is in immediate danger"), default=False)
    child_name = EncryptedTextField(_("child's name"), blank=True)
    child_school = EncryptedTextField(_("child's school"), blank=True)
    reporter_relation = models.CharField(
        _("reporter"), max_length=12, choices=ReporterRelation.choices, blank=True
    )
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True)
    reporter_contact = EncryptedTextField(_("reporter's phone or e-mail"), blank=True)
    reporter_wants_updates = models.BooleanField(default=False)
    is_anonymous = models.BooleanField(default=True)
    consent_given = models.BooleanField(default=False)
    consent_text_version = models.CharField(max_length=16, blank=True)
    territory = models.ForeignKey(
        "orgs.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Hotline operator or API client that entered the report."),
    )
    # "user:<id>" for authenticated clients, "ip:<keyed hash>" for anonymous ones.
    idempotency_scope = models.CharField(max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    # SHA-256 of the submission, so a key reused for a different report is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)
    # Kept (encrypted) only for submissions with an Idempotency-Key: a client whose first
    # answer was lost gets the same access key on retry.
    replay_access_key = EncryptedTextField(blank=True)
    public_status = models.CharField(
        max_length=16, choices=PublicStatus.choices, default=PublicStatus.RECEIVED
    )
    triaged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("report")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="report_idempotency_unique",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def has_withdrawn(self, scope: str) -> bool:
        """Whether anyone withdrew their consent for ``scope`` (one withdrawal is enough:
        the parent's and the child's consent are both needed). Uses prefetched
        ``consents`` when there are some."""
        return any(c.scope == scope and c.withdrawn_at is not None for c in self.consents.all())

    @property
    def is_processing_withdrawn(self) -> bool:
        return self.has_withdrawn(ConsentScope.PROCESS)


class ReportURL(models.Model):
    """A URL as the reporter gave it, and normalised for duplicate finding."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="urls")
    raw = models.TextField()
    normalised = models.TextField(db_index=True)
    host = models.CharField(max_length=253, db_index=True)
    host_is_ip = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class EvidenceFile(models.Model):
    """An uploaded file. Its bytes live encrypted in ``EvidenceBlob``, in the same
    transaction as the report, so a report is never half-saved."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=64)
    original_name = EncryptedTextField(blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Set once, the first time a person looks at the file unblurred (as NCMEC's per-file
    # "viewed by a person" flag): others can then rely on that person's assessment.
    viewed_by_person_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EvidenceBlob(models.Model):
    file = models.OneToOneField(EvidenceFile, on_delete=models.CASCADE, related_name="blob")
    ciphertext = EncryptedBlobField()


class ConsentGiver(models.TextChoices):
    PARENT = "parent", _("Parent or carer")
    CHILD = "child", _("The child (aged 7 or more)")
    REPORTER = "reporter", _("The reporter")


class ConsentScope(models.TextChoices):
    PROCESS = "process", _("Process the report")
    SHARE = "share", _("Share it with the agencies")
    CONTACT = "contact", _("Contact the reporter")


class ConsentRecord(models.Model):
    """One consent, for one purpose, by one person (Decree 13/2023 art. 20: the parent's
    and, from age 7, the child's). Withdrawal sets ``withdrawn_at``; the row stays."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(_("given by"), max_length=10, choices=ConsentGiver.choices)
    scope = models.CharField(_("for"), max_length=10, choices=ConsentScope.choices)
    text_version = models.CharField(max_length=16, blank=True)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The hotline operator who recorded it; empty when given on the page."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name = _("consent")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class EvidenceView(models.Model):
    """A person looked at an evidence file unblurred (append-only)."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    is_blurred = models.BooleanField(default=False)
    # What this view adds to the user's daily exposure (``EXPOSURE_MINUTES_PER_VIEW``
    # when it was made), so that changing the setting does not rewrite the past.
    exposure_mins = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "at"], name="evidenceview_user_at")]
