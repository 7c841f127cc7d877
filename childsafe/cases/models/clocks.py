"""Statutory clocks: ``ClockRule`` versions, ``Clock`` and its append-only ``ClockEvent``."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models.case import AgencyTask, Case
from childsafe.lib.models import AppendOnlyModel
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
    # A version that lists ``extension_steps`` allows exactly those; one without steps
    # allows ``max_extensions`` extensions of up to ``extension_value`` past the due time.
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
    starts_on_resume_of = models.SlugField(
        _("starts when this time limit resumes"),
        max_length=40,
        blank=True,
        help_text=_(
            "Code of a rule: resuming a clock of that rule starts this one for the same "
            "task (the notice of a resumption)."
        ),
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

    def allowed_extensions(self) -> list[ClockExtensionStep]:
        """The extensions this version allows, in order: its steps, or (a version without
        steps) ``max_extensions`` times up to ``extension_value`` past the due time.
        Uses prefetched ``extension_steps`` when there are some."""
        steps = list(self.extension_steps.all())
        if steps:
            return steps
        return [
            ClockExtensionStep(
                rule=self,
                number=number,
                limit_value=self.extension_value,
                limit_unit=self.extension_unit,
                counted_from=ExtensionBase.DUE,
            )
            for number in range(1, self.max_extensions + 1)
        ]

    @property
    def ends_by_hand(self) -> bool:
        """A clock no task function starts (a breach notice, a resumption notice) ends
        when a person records that it was met; the others end with their task."""
        return not self.function


class ExtensionBase(models.TextChoices):
    START = "start", _("from the start of the time limit")
    DUE = "due", _("past the due time it extends")


class ClockExtensionStep(models.Model):
    """One extension a rule version allows, in order: how far it may reach, counted from
    the clock's start or from the due time it extends, and who decides it.

    The crime-report clock (Criminal Procedure Code 2015 art. 147(2)): the first, for a
    complex matter, reaches at most 2 months from receipt; the second, by the procuracy,
    adds at most 2 months; there is no third.
    """

    rule = models.ForeignKey(ClockRule, on_delete=models.CASCADE, related_name="extension_steps")
    number = models.PositiveSmallIntegerField(_("extension"))
    limit_value = models.PositiveIntegerField(_("at most"))
    limit_unit = models.CharField(_("unit"), max_length=8, choices=PeriodUnit.choices)
    counted_from = models.CharField(
        _("counted"), max_length=8, choices=ExtensionBase.choices, default=ExtensionBase.DUE
    )
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["rule", "number"]
        verbose_name = _("extension step")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "number"], name="clockextensionstep_rule_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="clockextensionstep_number_positive"
            ),
        ]

    def latest(self, *, started_at: dt.datetime, due_at: dt.datetime) -> dt.datetime:
        """The latest due time this extension may set on a clock."""
        base = started_at if self.counted_from == ExtensionBase.START else due_at
        return add_period(base, self.limit_value, self.limit_unit)

    @property
    def limit_label(self) -> str:
        """E.g. "2 months from the start of the time limit"."""
        unit = self.get_limit_unit_display()
        return f"{self.limit_value} {unit} {self.get_counted_from_display()}"


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

    def next_extension(self) -> ClockExtensionStep | None:
        """The extension the rule allows next, or ``None`` (not running, none left)."""
        if self.state != ClockState.RUNNING:
            return None
        steps = self.rule.allowed_extensions()
        return steps[self.extensions] if self.extensions < len(steps) else None

    def latest_extension(self) -> dt.datetime | None:
        """The latest due time the next extension may set."""
        step = self.next_extension()
        if step is None:
            return None
        return step.latest(started_at=self.started_at, due_at=self.due_at)

    @property
    def can_extend(self) -> bool:
        """Whether the next extension allowed could still move the due time later (after a
        resumption, the due time may already pass what an extension counted from the
        start allows)."""
        latest = self.latest_extension()
        return latest is not None and latest > self.due_at


class ClockEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    EXTENDED = "extended", _("Extended")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    STOPPED = "stopped", _("Ended")
    ESCALATED = "escalated", _("Overdue: escalated")


class SuspensionGround(models.TextChoices):
    """Why a time limit is suspended: the grounds of Criminal Procedure Code 2015
    art. 148(1) for a crime report, or another one named in the legal basis."""

    EXPERT_ASSESSMENT = (
        "expert_assessment",
        _("Awaiting an expert assessment or a property valuation (art. 148(1)(a))"),
    )
    LEGAL_ASSISTANCE = (
        "legal_assistance",
        _("Awaiting mutual legal assistance from abroad (art. 148(1)(a))"),
    )
    DOCUMENTS = (
        "documents",
        _(
            "Awaiting documents or objects requested from agencies, organisations or "
            "individuals (art. 148(1)(b))"
        ),
    )
    OTHER = "other", _("Another ground (name the provision in the legal basis)")


class ClockEvent(AppendOnlyModel):
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
    ground = models.CharField(
        _("ground for suspension"),
        max_length=20,
        choices=SuspensionGround.choices,
        blank=True,
        help_text=_("Suspensions only."),
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Due time afterwards."))

    class Meta:
        ordering = ["at", "id"]
