"""Forms of the authority list pages: they check shapes; the services check the rest
(what may be blocked, duplicates, dates in the future) and name the field at fault."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from childsafe.blocklist.models import EntryKind, EntrySource
from childsafe.blocklist.services import DECISION_MAX_CHARS, NOTE_MAX_CHARS
from childsafe.reports.models import Category


class EntryStatus:
    ACTIVE = "active"
    LIFTED = "lifted"
    EXPIRED = "expired"
    ALL = "all"


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (EntryStatus.ACTIVE, _("Active")),
            (EntryStatus.LIFTED, _("Lifted")),
            (EntryStatus.EXPIRED, _("Expired")),
            (EntryStatus.ALL, _("All entries")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *EntryKind.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *EntrySource.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class EntryForm(forms.Form):
    value = forms.CharField(
        label=_("Domain or web address"),
        max_length=2048,
        help_text=_(
            "A domain (example.com, or *.example.com: the same) blocks it and every name "
            "below it. A web address (https://example.com/page) goes to the filters that "
            "read addresses, not to the DNS feeds."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=Category.choices)
    note = forms.CharField(
        label=_("Reason in words"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        help_text=_("No personal data: this note is seen by every officer of the list."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = forms.DateField(
        label=_("Review on"),
        help_text=_("The date by which an officer checks that the entry is still needed."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        help_text=_("Leave empty for no expiry."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class LiftForm(forms.Form):
    decision = forms.CharField(
        label=_("Decision to lift"),
        max_length=DECISION_MAX_CHARS,
        help_text=_("Who decided, and why (a document reference). No personal data."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
