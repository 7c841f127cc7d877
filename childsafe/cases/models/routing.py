"""Routing rules: which agencies receive a case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.orgs.models import AdminUnit, Function
from childsafe.reports.models import Category


class RoutingRule(models.Model):
    """Which function receives reports of a category (and territory).

    Every active rule that matches a report proposes one agency task to the organisation
    that holds ``function`` for the report's territory on the day of triage.
    """

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    territory = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("territory"),
        help_text=_("Leave empty for the whole province."),
    )
    function = models.CharField(_("function"), max_length=24, choices=Function.choices)
    requires_url = models.BooleanField(
        _("only when the report gives URLs"),
        default=False,
    )
    priority_boost = models.IntegerField(_("priority boost"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "function", "id"]
        verbose_name = _("routing rule")

    def matches(self, category: str, *, has_urls: bool, territory_ids: set[int]) -> bool:
        """Whether the rule applies; ``territory_ids`` are the report's unit and its parents."""
        if not self.is_active or self.category != category:
            return False
        if self.requires_url and not has_urls:
            return False
        return self.territory_id is None or self.territory_id in territory_ids
