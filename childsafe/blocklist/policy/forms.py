"""Forms of the school filtering pages: shapes only; the services check the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childsafe.blocklist.models import BlockMode, FilterCategory, SchoolListKind, Tier
from childsafe.blocklist.policy.importers import FORMATS
from childsafe.blocklist.policy.services import REASON_MAX_CHARS
from childsafe.orgs.models import Organisation

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
MAX_FIGURE_DAYS = 366
MAX_LIST_BYTES = 64 * 1024 * 1024


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


class SchoolSettingsForm(forms.Form):
    block_mode = forms.ChoiceField(label=_("Blocked names get"), choices=BlockMode.choices)
    block_ipv4 = forms.CharField(label=_("Block page IPv4 address"), required=False, max_length=15)
    block_ipv6 = forms.CharField(label=_("Block page IPv6 address"), required=False, max_length=45)
    default_tier = forms.ChoiceField(
        label=_("Tier outside the listed networks"), choices=Tier.choices
    )
    box_notify = forms.CharField(
        label=_("Filter box NOTIFY address"),
        required=False,
        max_length=60,
        help_text=_(
            "Optional: the box's IP address and port, e.g. 203.0.113.5:53 or "
            "[2001:db8::5]:53. After each change the central server tells the box to "
            "download its policy at once (start the box with --notify-from); without it "
            "the box checks every few minutes."
        ),
    )


class TimeInput(forms.TextInput):
    input_type = "time"


class RuleForm(forms.Form):
    """One cell of the province's grid: a tier and category, blocked or not, at all
    times or in up to two weekly windows (days, start and end)."""

    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    category = forms.ChoiceField(label=_("Category"), choices=FilterCategory.choices)
    is_blocked = forms.BooleanField(label=_("Blocked"), required=False)
    days1 = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start1 = forms.CharField(label=_("From"), required=False, max_length=5, widget=TimeInput)
    end1 = forms.CharField(label=_("To"), required=False, max_length=5, widget=TimeInput)
    days2 = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start2 = forms.CharField(label=_("From"), required=False, max_length=5, widget=TimeInput)
    end2 = forms.CharField(label=_("To"), required=False, max_length=5, widget=TimeInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        windows = []
        for n in ("1", "2"):
            days, start, end = data.get("days" + n), data.get("start" + n), data.get("end" + n)
            if days or start or end:
                windows.append({"days": days or [], "start": start or "", "end": end or ""})
        data["schedule"] = windows
        return data


class ListUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    category = forms.ChoiceField(label=_("Category"), choices=FilterCategory.choices)
    name = forms.CharField(
        label=_("List name"),
        max_length=120,
        help_text=_("The same name replaces that list's active version."),
    )
    source = forms.CharField(label=_("Source"), max_length=500)
    licence = forms.CharField(label=_("Licence"), max_length=200)
    file_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Detect"))] + [(f, f) for f in FORMATS],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(
                _("The file is over %(n)d MB.") % {"n": MAX_LIST_BYTES // (1024 * 1024)}
            )
        return upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class FilterFiguresForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All schools"),
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, query: Any, *, schools: QuerySet[Organisation]) -> None:
        data = query.copy()
        today = timezone.localdate()
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            data["start"] = (today - dt.timedelta(days=6)).isoformat()
        super().__init__(data)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The first day comes after the last one."))
        if (data["end"] - data["start"]).days >= MAX_FIGURE_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(n)d days at a time.") % {"n": MAX_FIGURE_DAYS}
            )
        return data
