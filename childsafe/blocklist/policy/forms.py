"""Forms of the school filtering pages: shapes only; the services check the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from childsafe.blocklist.models import SchoolListKind, Tier
from childsafe.blocklist.policy.services import REASON_MAX_CHARS


class NetworkForm(forms.Form):
    cidr = forms.CharField(
        label=_("Network"), max_length=64, help_text=_("For example 10.10.1.0/24.")
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)


class SchoolEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("List"),
        choices=[
            (SchoolListKind.DENY, _("Block at my school")),
            (SchoolListKind.ALLOW, _("Ask to allow (the education officer decides)")),
        ],
    )
    domain = forms.CharField(label=_("Domain"), max_length=253)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=REASON_MAX_CHARS,
        help_text=_("Required to ask for an allow. No personal data."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_CHARS)
