"""Retention: how long a closed case keeps its personal data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from childsafe.reports.models import Category


class RetentionRule(models.Model):
    """How long a closed case of a category keeps its personal data (configurable data;
    the shipped periods are defaults awaiting the province's decision)."""

    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, unique=True
    )
    keep_days = models.PositiveIntegerField(_("days kept after closure"))

    class Meta:
        ordering = ["category"]
        verbose_name = _("retention rule")

    def __str__(self) -> str:
        return f"{self.category}: {self.keep_days}"
