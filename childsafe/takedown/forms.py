"""Forms of the takedown pages: they validate, the services act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.orgs.models import Organisation, OrgKind
from childsafe.reports.models import Category
from childsafe.takedown.models import OrderAction, OrderStatus, ScopeKind
from childsafe.takedown.services import (
    DECISION_MAX_CHARS,
    LEGAL_BASIS_MAX_CHARS,
    MAX_DEADLINE_HOURS,
    MAX_TARGETS,
    MAX_TEXT_CHARS,
    MIN_DEADLINE_HOURS,
)

TARGETS_MAX_CHARS = MAX_TARGETS * 2100


def _providers() -> Any:
    return Organisation.objects.active_on(timezone.localdate()).filter(
        kind=OrgKind.SERVICE_PROVIDER
    )


class OrderForm(forms.Form):
    targets = forms.CharField(
        label=_("Targets"),
        max_length=TARGETS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: a web address (https://...) to remove or block, or a domain "
            "(example.com, which covers every name below it) to block."
        ),
    )
    action = forms.ChoiceField(label=_("Action asked"), choices=OrderAction.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Category.choices)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=LEGAL_BASIS_MAX_CHARS)
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Find it from the targets"),
    )
    deadline_hours = forms.IntegerField(
        label=_("Deadline in hours"),
        min_value=MIN_DEADLINE_HOURS,
        max_value=MAX_DEADLINE_HOURS,
        required=False,
        help_text=_("Leave empty for the time limit in force (24 hours)."),
    )
    instructions = forms.CharField(
        label=_("Instructions to the provider"),
        max_length=MAX_TEXT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The provider reads them: never write the child's name or details."),
    )
    case = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _providers()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """The reason for declining a draft."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    decision = forms.CharField(
        label=_("Decision to withdraw"),
        max_length=DECISION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who decided and why, e.g. the court ruling or the content found lawful."),
    )


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=MAX_TEXT_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All orders")),
            ("open", _("Waiting for the provider")),
            ("overdue", _("Overdue")),
            *OrderStatus.choices,
        ],
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All providers"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrgKind.SERVICE_PROVIDER
        )


class ScopeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ScopeKind.choices)
    value = forms.CharField(
        label=_("Domain or network"),
        max_length=253,
        help_text=_("A domain such as example.vn (with every name below it) or 203.0.113.0/24."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
