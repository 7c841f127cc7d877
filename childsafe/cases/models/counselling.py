"""Counselling referrals: sessions and the outcome of a counselling task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models.case import AgencyTask
from childsafe.lib.crypto import EncryptedTextField


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online")


class CounsellingSession(models.Model):
    """A counselling session held by the social support facility that accepted the
    counselling task. Seen only by that facility and the case's owner organisation."""

    agency_task = models.ForeignKey(
        AgencyTask, on_delete=models.PROTECT, related_name="counselling_sessions"
    )
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("counselling session")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="counsellingsession_duration_positive"
            ),
        ]


class ReferralOutcome(models.TextChoices):
    SUPPORT_COMPLETED = "support_completed", _("Support completed")
    REFERRED_ON = "referred_on", _("Referred to another service")
    DECLINED_BY_FAMILY = "declined_by_family", _("Declined by the family")
    DECLINED_BY_CHILD = "declined_by_child", _("Declined by the child")
    LOST_CONTACT = "lost_contact", _("Contact lost")


class CounsellingOutcome(models.Model):
    """The outcome of a counselling referral (one per counselling task; may be revised)."""

    agency_task = models.OneToOneField(
        AgencyTask, on_delete=models.PROTECT, related_name="counselling_outcome"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReferralOutcome.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
