"""Classification of content: one decision per item, re-used wherever it comes back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models.case import Case
from childsafe.orgs.models import Organisation
from childsafe.reports.models import Category


class AssessmentKind(models.TextChoices):
    """How hotlines classify an item (INHOPE ICCAM)."""

    BASELINE = "baseline", _("Baseline: illegal internationally")
    NATIONAL = "national", _("Illegal under Vietnamese law")
    NOT_ILLEGAL = "not_illegal", _("Not illegal")


class ItemKind(models.TextChoices):
    FILE = "file", _("File")
    URL = "url", _("URL")


class ContentAssessment(models.Model):
    """The one decision about an item of content, re-used wherever the item comes back.

    An item is a file (``key`` is its SHA-256) or a URL (``key`` is the SHA-256 of its
    normalised form, kept in ``url``, so that long URLs fit a unique index).
    """

    item_kind = models.CharField(_("item"), max_length=4, choices=ItemKind.choices)
    key = models.CharField(max_length=64)
    url = models.TextField(_("normalised URL"), blank=True)
    assessment = models.CharField(_("assessment"), max_length=12, choices=AssessmentKind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        ordering = ["assessed_at", "id"]
        verbose_name = _("content assessment")
        constraints = [
            models.UniqueConstraint(
                fields=["item_kind", "key"], name="contentassessment_one_per_item"
            ),
        ]
