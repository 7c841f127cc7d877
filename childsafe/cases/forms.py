"""Forms of the case file: they validate, the services act."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.cases.models import (
    AssessmentKind,
    CaseStatus,
    ClockRule,
    DecisionKind,
    IdentifierKind,
    ItemKind,
    OutcomeCode,
    PoiSource,
    ReferralOutcome,
    SessionMode,
    SuspensionGround,
)
from childsafe.cases.poi import normalise_identifier
from childsafe.cases.services.content import Item
from childsafe.orgs.models import AdminUnit, Function, Organisation, OrgKind, UnitEra, User
from childsafe.orgs.roles import Perm, Role, role_has_perm
from childsafe.orgs.services import org_descendant_ids
from childsafe.reports.models import Category, ConsentGiver, ConsentScope

MAX_PRIORITY = 200


class CaseForm(forms.Form):
    """A form of the case page: several share it, so each gives its fields their own ids."""

    id_prefix = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open cases")), ("all", _("All cases")), *CaseStatus.choices],
    )


class TriageForm(CaseForm):
    id_prefix = "triage"
    priority = forms.IntegerField(label=_("Priority"), min_value=0, max_value=MAX_PRIORITY)


class RouteForm(CaseForm):
    id_prefix = "route"
    function = forms.ChoiceField(label=_("Refer to the agency holding"), choices=Function.choices)


class CloseForm(CaseForm):
    id_prefix = "close"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OutcomeCode.choices)
    text = forms.CharField(
        label=_("Closing remarks"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(CaseForm):
    id_prefix = "reject"
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferForm(CaseForm):
    id_prefix = "transfer"
    organisation = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Agencies only: schools and service providers never receive cases.
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.active_on(timezone.localdate())
            .exclude(kind__in=[OrgKind.SCHOOL, OrgKind.SERVICE_PROVIDER])
            .order_by("name")
        )


class NoteForm(CaseForm):
    id_prefix = "note"
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_shared = forms.BooleanField(label=_("Share with every agency on the case"), required=False)


class CaseTaskForm(CaseForm):
    id_prefix = "todo"
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = org_descendant_ids({user.organisation_id}) if user.organisation_id else set()
        roles = [role for role in Role.values if role_has_perm(role, Perm.CASE_VIEW)]
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=ids, is_active=True, role__in=roles
        ).order_by("username")


class DecisionForm(CaseForm):
    id_prefix = "decision"
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    text = forms.CharField(
        label=_("Details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoutingRuleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    function = forms.ChoiceField(label=_("Function"), choices=Function.choices)
    territory = forms.CharField(
        label=_("Territory code"),
        max_length=10,
        required=False,
        help_text=_("Official code of a province, district or commune; empty for everywhere."),
    )
    requires_url = forms.BooleanField(label=_("Only when the report gives URLs"), required=False)
    priority_boost = forms.IntegerField(
        label=_("Priority boost"), min_value=-MAX_PRIORITY, max_value=MAX_PRIORITY, initial=0
    )

    def clean_territory(self) -> AdminUnit | None:
        code = self.cleaned_data["territory"].strip()
        if not code:
            return None
        # A code may exist in both eras: the current units come first.
        unit = (
            AdminUnit.objects.filter(code=code)
            .order_by(models.Case(models.When(era=UnitEra.FROM_2025, then=0), default=1))
            .first()
        )
        if unit is None:
            raise forms.ValidationError(_("No administrative unit has this code."))
        return unit


class ClockStartForm(CaseForm):
    """Start a time limit that no task starts by itself (a personal-data breach notice)."""

    id_prefix = "clock"
    rule = forms.ChoiceField(label=_("Time limit"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = ClockRule.objects.in_force_on(timezone.localdate()).filter(
            function="", starts_on_resume_of=""
        )
        self.fields["rule"].choices = [(r.code, f"{r.name} ({r.legal_basis})") for r in rules]  # type: ignore[attr-defined]


class ClockApprovalForm(CaseForm):
    """Who decided a suspension or resumption, and under which provision."""

    id_prefix = "approval"
    approved_by = forms.CharField(
        label=_("Approved by"),
        max_length=200,
        help_text=_("Authority and official, e.g. Head of the investigation police agency."),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)


class ClockSuspendForm(ClockApprovalForm):
    id_prefix = "suspend"
    ground = forms.ChoiceField(label=_("Ground for suspension"), choices=SuspensionGround.choices)
    field_order = ["ground", "approved_by", "legal_basis"]


class ClockExtendForm(ClockApprovalForm):
    """The new due time; ``latest`` (the rule's limit for this extension) becomes the
    picker's maximum, the service checks it."""

    id_prefix = "extend"
    due_at = forms.DateTimeField(
        label=_("New due time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, latest: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if latest is not None:
            self.fields["due_at"].widget.attrs["max"] = timezone.localtime(latest).strftime(
                "%Y-%m-%dT%H:%M"
            )


class AssessmentForm(CaseForm):
    """The decision about one item: ``item`` is ``file:<sha256>`` or ``url:<normalised>``."""

    id_prefix = "assess"
    item = forms.CharField(widget=forms.HiddenInput, max_length=2100)
    assessment = forms.ChoiceField(label=_("Assessment"), choices=AssessmentKind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)

    def clean_item(self) -> Item:
        kind, _sep, value = self.cleaned_data["item"].partition(":")
        if kind == ItemKind.FILE and re.fullmatch(r"[0-9a-f]{64}", value):
            return Item(ItemKind.FILE, value)
        if kind == ItemKind.URL and value:
            return Item(ItemKind.URL, value)
        raise forms.ValidationError(_("Unknown item."))


class PoiForm(forms.Form):
    label = forms.CharField(label=_("Name or alias"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=PoiSource.choices)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_("The provision or decision that allows keeping this record."),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(label=_("Value"), max_length=2048)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "kind" in data and "value" in data:
            try:
                normalise_identifier(data["kind"], data["value"])
            except ValueError:
                self.add_error("value", _("This is not a valid identifier of that kind."))
        return data


class CounsellingSessionForm(CaseForm):
    id_prefix = "session"
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=600
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(label=_("Outcome of the session"), max_length=1000, required=False)

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("A session cannot be recorded before it is held."))
        return held_on


class CounsellingOutcomeForm(CaseForm):
    id_prefix = "referral"
    outcome = forms.ChoiceField(label=_("Referral outcome"), choices=ReferralOutcome.choices)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentRecordForm(forms.Form):
    """A consent given after the report; each report on the page has its own ids."""

    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    scopes = forms.MultipleChoiceField(
        label=_("Agreed to"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    given_at = forms.DateTimeField(
        label=_("When (empty: now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    confirm = forms.BooleanField(
        label=_("The person agreed to the consent text above (read to them or signed)")
    )


class LegalHoldForm(CaseForm):
    id_prefix = "hold"
    legal_hold = forms.BooleanField(
        label=_("Keep this case's data past its retention period"), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the hold"),
        max_length=500,
        required=False,
        help_text=_("E.g. the open criminal matter or the court order."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("legal_hold") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the legal hold."))
        return data
