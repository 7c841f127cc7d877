"""Statutory clocks: ``ClockRule`` versions, ``Clock`` and its append-only ``ClockEvent``."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models.case import AgencyTask, AppendOnlyError, Case
from childsafe.orgs.models import Function


class PeriodUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


def add_period(start: dt.datetime, value: int, unit: str) -> dt.datetime:
    """``start`` plus a period; months are calendar months in Vietnam's time (31 Jan + 1
    month = 28 or 29 Feb)."""
    if unit == PeriodUnit.HOURS:
        return start + dt.timedelta(hours=value)
    if unit == PeriodUnit.DAYS:
        return start + dt.timedelta(days=value)
    local = timezone.localtime(start)
    months = local.month - 1 + value
    year, month = local.year + months // 12, months % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


class ClockRuleQuerySet(models.QuerySet["ClockRule"]):
    def in_force_on(self, day: dt.date) -> ClockRuleQuerySet:
        return self.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )


class ClockRule(models.Model):
    """One version of a statutory time limit. Versions of a rule share ``code`` and
    follow each other by date: a clock uses the version in force when it starts."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    function = models.CharField(
        _("function"),
        max_length=24,
        choices=Function.choices,
        blank=True,
        help_text=_("A task for this function starts the clock when it reaches the agency."),
    )
    period_value = models.PositiveIntegerField(_("time limit"))
    period_unit = models.CharField(_("unit"), max_length=8, choices=PeriodUnit.choices)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    extension_value = models.PositiveIntegerField(_("longest extension"), default=0)
    extension_unit = models.CharField(
        _("unit"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.DAYS
    )
    resume_value = models.PositiveIntegerField(
        _("time limit after resumption"),
        null=True,
        blank=True,
        help_text=_("Empty: a resumed clock gets back the time it had left."),
    )
    resume_unit = models.CharField(
        _("unit"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.MONTHS
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    objects = ClockRuleQuerySet.as_manager()

    class Meta:
        ordering = ["code", "effective_from"]
        verbose_name = _("time-limit rule")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="clockrule_code_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="clockrule_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def due_from(self, start: dt.datetime) -> dt.datetime:
        return add_period(start, self.period_value, self.period_unit)

    def latest_extension(self, due_at: dt.datetime) -> dt.datetime:
        return add_period(due_at, self.extension_value, self.extension_unit)


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUSPENDED = "suspended", _("Suspended")
    STOPPED = "stopped", _("Ended")


class Clock(models.Model):
    """A time limit running on a case, usually for one agency task."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clocks")
    agency_task = models.ForeignKey(
        AgencyTask, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks"
    )
    rule = models.ForeignKey(ClockRule, on_delete=models.PROTECT, related_name="clocks")
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("ended"), null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]

    @property
    def state(self) -> str:
        if self.stopped_at is not None:
            return ClockState.STOPPED
        if self.suspended_at is not None:
            return ClockState.SUSPENDED
        return ClockState.RUNNING

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.state == ClockState.RUNNING and (now or timezone.now()) > self.due_at

    @property
    def can_extend(self) -> bool:
        return self.state == ClockState.RUNNING and self.extensions < self.rule.max_extensions


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    EXTENDED = "extended", _("Extended")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    STOPPED = "stopped", _("Ended")
    ESCALATED = "escalated", _("Overdue: escalated")


class ClockEventQuerySet(models.QuerySet["ClockEvent"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("clock events are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("clock events are append-only")


class ClockEvent(models.Model):
    """What happened to a clock, with who approved it and on which legal basis."""

    clock = models.ForeignKey(Clock, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=ClockEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.CharField(
        _("approved by"),
        max_length=200,
        blank=True,
        help_text=_("The authority and official who decided, e.g. the provincial procuracy."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Due time afterwards."))

    objects = ClockEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AppendOnlyError("clock events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("clock events are append-only")
