"""The shared case file: cases, the reports they hold, agency tasks, timeline, notes,
tasks, decisions, the routing rules that decide which agencies receive a case, and the
statutory clocks (``ClockRule`` versions, ``Clock``, ``ClockEvent``).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.lib.crypto import EncryptedTextField
from childsafe.orgs.models import AdminUnit, Function, Organisation
from childsafe.reports.models import Category, Report

# How serious each category is, before the other signals (a child in danger, duplicates,
# routing boosts) add to it. The triage queue is ordered by the resulting priority.
CATEGORY_SEVERITY: dict[str, int] = {
    Category.CSAM: 80,
    Category.SEXTORTION: 70,
    Category.GROOMING: 70,
    Category.PRIVACY_EXPOSURE: 40,
    Category.CYBERBULLYING: 40,
    Category.HARMFUL_CONTENT: 30,
    Category.SCAM: 20,
    Category.OTHER: 10,
}


class AppendOnlyError(RuntimeError):
    """Timeline events cannot be changed or deleted."""


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class OutcomeCode(models.TextChoices):
    CONTENT_REMOVED = "content_removed", _("Content removed or blocked")
    SUPPORT_DELIVERED = "support_delivered", _("Support and counselling delivered")
    REFERRED_TO_PROSECUTION = "referred_to_prosecution", _("Handed to the procuracy")
    HANDLED_ADMINISTRATIVELY = "handled_administratively", _("Administrative penalty imposed")
    NO_VIOLATION = "no_violation", _("No violation found")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("Outside the province's jurisdiction")
    NO_ACTION_POSSIBLE = "no_action_possible", _("No action possible (content gone, no lead)")
    OTHER = "other", _("Other")


class Case(models.Model):
    """One matter handled together by the agencies, holding one or more reports."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.IntegerField(_("priority"), default=0, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
        help_text=_("The organisation that coordinates the case (child protection)."),
    )
    territory = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=OutcomeCode.choices, blank=True
    )
    # A legal hold (an open criminal matter, a court order) keeps the case from being
    # anonymised when its retention period ends; set by the police or the coordinator.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the hold"), max_length=500, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Reference, URLs, hosts, platforms and category names, lower-cased and without
    # Vietnamese diacritics (``childsafe.cases.search.fold``), for ``icontains`` search.
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["-priority", "opened_at"]
        verbose_name = _("case")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @staticmethod
    def make_reference(pk: int, opened_at: dt.datetime) -> str:
        return f"CS-{timezone.localtime(opened_at):%Y}-{pk:06d}"


class CaseReport(models.Model):
    """A report held by a case; a report belongs to one case at most."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_reports")
    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="case_link")
    linked_at = models.DateTimeField(default=timezone.now)
    # Why the report joined an existing case: "", "url" or "sha256".
    matched_on = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["linked_at", "id"]


class AgencyTaskStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the agency to accept")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Done")
    TRANSFERRED = "transferred", _("Transferred")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Tasks that are still the receiving organisation's business.
OPEN_TASK_STATUSES = (AgencyTaskStatus.PROPOSED, AgencyTaskStatus.ACCEPTED)
# Tasks that no longer let their organisation see the case: refused or never taken up.
HIDDEN_TASK_STATUSES = (AgencyTaskStatus.REJECTED, AgencyTaskStatus.WITHDRAWN)


class AgencyTask(models.Model):
    """One agency's part of a case, for one function (crime report, takedown, counselling).

    Routing proposes it; the receiving organisation accepts or rejects it. A transfer
    proposes a new task to another organisation, which must accept in turn.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="agency_tasks")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agency_tasks",
        verbose_name=_("organisation"),
    )
    function = models.CharField(_("function"), max_length=24, choices=Function.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AgencyTaskStatus.choices,
        default=AgencyTaskStatus.PROPOSED,
    )
    routing_rule = models.ForeignKey(
        "RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the routing rules proposed it."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_agency_tasks",
        verbose_name=_("assignee"),
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "function"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="agencytask_one_open_per_org_function",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="agencytask_rejection_has_reason",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    REPORT_LINKED = "report_linked", _("Report added")
    ROUTED = "routed", _("Agency task proposed")
    ROUTING_UNRESOLVED = "routing_unresolved", _("No organisation holds a routed function")
    TRIAGED = "triaged", _("Triage confirmed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    TASK_ACCEPTED = "task_accepted", _("Agency task accepted")
    TASK_REJECTED = "task_rejected", _("Agency task rejected")
    TASK_TRANSFERRED = "task_transferred", _("Agency task transferred")
    TASK_DONE = "task_done", _("Agency task done")
    TASK_WITHDRAWN = "task_withdrawn", _("Agency task withdrawn")
    NOTE_ADDED = "note_added", _("Note added")
    CASE_TASK_ADDED = "case_task_added", _("Task added")
    CASE_TASK_DONE = "case_task_done", _("Task done")
    DECISION = "decision", _("Decision recorded")
    CLOCK_STARTED = "clock_started", _("Time limit started")
    CLOCK_EXTENDED = "clock_extended", _("Time limit extended")
    CLOCK_SUSPENDED = "clock_suspended", _("Time limit suspended")
    CLOCK_RESUMED = "clock_resumed", _("Time limit resumed")
    CLOCK_STOPPED = "clock_stopped", _("Time limit met")
    CLOCK_OVERDUE = "clock_overdue", _("Time limit passed: escalated")
    CLOSED = "closed", _("Case closed")
    CONTENT_ASSESSED = "content_assessed", _("Content assessed")
    CONTENT_INHERITED = "content_inherited", _("Content already assessed: decision re-used")
    LEGAL_HOLD_SET = "legal_hold_set", _("Legal hold set")
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", _("Legal hold lifted")
    ANONYMISED = "anonymised", _("Personal data removed (retention period over)")


class CaseEventQuerySet(models.QuerySet["CaseEvent"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("case events are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("case events are append-only")


class CaseEvent(models.Model):
    """One line of the case timeline. ``detail`` holds ids and codes, never personal data."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=24, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the system (triage, routing, escalation)."),
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("case events are append-only")


class Note(models.Model):
    """An internal note of one agency; others see it only once it is shared."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField(_("note"))
    is_shared = models.BooleanField(
        _("share with every agency on the case"),
        default=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class CaseTask(models.Model):
    """A to-do on the case, for someone of the organisation that added it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_tasks")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        verbose_name=_("assignee"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_at", "id"]


class DecisionKind(models.TextChoices):
    INVESTIGATION_OPENED = "investigation_opened", _("Criminal proceedings started")
    NO_CRIMINAL_CASE = "no_criminal_case", _("No criminal proceedings")
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")
    TAKEDOWN_REQUESTED = "takedown_requested", _("Takedown requested")
    SUPPORT_PLAN = "support_plan", _("Support plan agreed")
    REFERRAL = "referral", _("Referral")
    CLOSURE = "closure", _("Closure")
    OTHER = "other", _("Other")


class Decision(models.Model):
    """A decision taken on the case, visible to every agency working it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("decision"), max_length=24, choices=DecisionKind.choices)
    text = EncryptedTextField(_("details"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]


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


# --- Statutory clocks ------------------------------------------------------------------


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


# --- Classification of content ---------------------------------------------------------


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


# --- Persons of interest (police only) ------------------------------------------------


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


# --- Counselling referrals ------------------------------------------------------------


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


# --- Triage failures -----------------------------------------------------------------


class TriageFailure(models.Model):
    """A report whose triage failed; after ``MAX_TRIAGE_ATTEMPTS`` the worker skips it
    until a person asks for a retry, so one bad report never blocks the queue."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="triage_failure")
    attempts = models.PositiveSmallIntegerField(default=0)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    # The exception's class name only: messages may quote report contents.
    error = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-last_failed_at", "id"]


MAX_TRIAGE_ATTEMPTS = 3


# --- Retention -----------------------------------------------------------------------


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
