"""The case file: cases, the reports they hold, agency tasks, the append-only timeline,
notes, to-dos and decisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.lib.crypto import EncryptedTextField
from childsafe.lib.models import AppendOnlyModel
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


class CaseEvent(AppendOnlyModel):
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

    class Meta:
        ordering = ["at", "id"]


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
