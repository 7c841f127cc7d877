"""Forms of the public reporting page, the hotline entry and the status lookup.

Forms check shapes (choices, lengths, dates); the rules about what a report must hold
live in ``reports.services.report_submit``, whose ``ReportError`` the views put back
on the form with ``add_report_errors``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from childsafe.lib.files import IMAGE_TYPES, PDF_TYPE
from childsafe.orgs.models import AdminUnit, UnitEra, UnitLevel
from childsafe.reports.consent import CURRENT, consent_text
from childsafe.reports.models import (
    DESCRIPTION_MAX_CHARS,
    MAX_URLS_PER_REPORT,
    PLATFORM_MAX_CHARS,
    SHORT_TEXT_MAX_CHARS,
    AgeGroup,
    Category,
    ReporterRelation,
)
from childsafe.reports.services import (
    REVEAL_REASON_MAX_CHARS,
    REVEAL_REASON_MIN_CHARS,
    REVEALABLE_FIELDS,
    ReportError,
)

# Browsers use this to offer the right files; the server checks the bytes anyway.
ACCEPTED_FILES = ",".join([*IMAGE_TYPES.values(), PDF_TYPE])


# The public page names the kinds of harm in words a child knows; staff see the
# category names of the model.
PLAIN_CATEGORY_LABELS = {
    Category.CSAM: _("Sexual pictures or videos of a child"),
    Category.GROOMING: _("Someone asking a child for sexual things, or trying to meet them"),
    Category.SEXTORTION: _(
        "Someone threatening to share sexual pictures unless you pay or send more"
    ),
    Category.CYBERBULLYING: _("Bullying, insults or threats online"),
    Category.HARMFUL_CONTENT: _("Violence, self-harm, gambling or drugs shown to children"),
    Category.PRIVACY_EXPOSURE: _(
        "A child's private life, photos or address shared without permission"
    ),
    Category.SCAM: _("A scam or trick aimed at children (fake gifts, game items, jobs)"),
    Category.OTHER: _("Something else"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; cleans to a (possibly empty) list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [f for f in (single(item, initial) for item in items if item) if f]


class ReportForm(forms.Form):
    """The public reporting page: plain words, everything about the reporter optional."""

    category = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        choices=[(value, PLAIN_CATEGORY_LABELS[value]) for value in Category],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        help_text=_("Write as much or as little as you like. You do not have to give names."),
        required=False,
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    urls = forms.CharField(
        label=_("Web addresses (links), one per line"),
        help_text=_(
            "Copy the address from the browser or the app's Share button. "
            "Do not open a harmful page again just to find it."
        ),
        required=False,
        max_length=MAX_URLS_PER_REPORT * 2100,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "url", "spellcheck": "false"}),
    )
    platform = forms.CharField(
        label=_("Where did it happen? (app, game or website)"),
        required=False,
        max_length=PLATFORM_MAX_CHARS,
        widget=forms.TextInput(attrs={"list": "platforms", "autocomplete": "off"}),
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    child_age_group = forms.ChoiceField(
        label=_("How old is the child?"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN
    )
    child_in_danger = forms.BooleanField(label=_("A child is in danger right now"), required=False)
    territory = forms.ModelChoiceField(
        label=_("Where does the child live? (commune or ward)"),
        help_text=_("If you know it: it helps us send the report to the right office."),
        queryset=AdminUnit.objects.none(),
        required=False,
        empty_label=_("I don't know"),
    )
    files = MultipleFileField(
        label=_("Screenshots, photos or PDF files"),
        required=False,
    )
    reporter_relation = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[("", _("I would rather not say")), *ReporterRelation.choices],
        required=False,
    )
    reporter_name = forms.CharField(
        label=_("Your name"), required=False, max_length=SHORT_TEXT_MAX_CHARS
    )
    reporter_contact = forms.CharField(
        label=_("Your phone number or e-mail"),
        help_text=_("Only if you want us to contact you or tell you when something changes."),
        required=False,
        max_length=SHORT_TEXT_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reporter_wants_updates = forms.BooleanField(
        label=_("E-mail me when the status of my report changes"),
        help_text=_("Only the tracking code and the status: never what was found."),
        required=False,
    )
    consent_given = forms.BooleanField(
        label=consent_text(),
        error_messages={
            "required": _("Tick the box to agree, so that we can handle your report.")
        },
    )

    # Shown in the "about you" part of the page; the rest is about what happened.
    reporter_fields: tuple[str, ...] = (
        "reporter_relation",
        "reporter_name",
        "reporter_contact",
        "reporter_wants_updates",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Communes and wards of today's units (since 1 July 2025), by name.
        territory: Any = self.fields["territory"]
        territory.queryset = AdminUnit.objects.filter(
            era=UnitEra.FROM_2025, level=UnitLevel.COMMUNE
        ).order_by("name", "code")
        self.fields["files"].help_text = _(
            "Up to %(count)d files, %(mb)d MB each. Pictures (JPEG, PNG, GIF, WEBP) or PDF."
        ) % {
            "count": settings.EVIDENCE_MAX_FILES,
            "mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        }

    def clean_urls(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]

    def report_data(self) -> dict[str, Any]:
        """The cleaned fields as ``report_submit`` takes them."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "files"}
        data["consent_text_version"] = CURRENT
        return data

    def add_report_errors(self, error: ReportError) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def about_what_happened(self) -> list[forms.BoundField]:
        skip = {*self.reporter_fields, "consent_given", "category"}
        return [self[name] for name in self.fields if name not in skip]

    def about_the_reporter(self) -> list[forms.BoundField]:
        return [self[name] for name in self.reporter_fields]


class HotlineReportForm(ReportForm):
    """What a hotline operator records from a call: the public form plus the caller's data."""

    child_name = forms.CharField(
        label=_("Child's name"), required=False, max_length=SHORT_TEXT_MAX_CHARS
    )
    child_school = forms.CharField(
        label=_("Child's school and class"), required=False, max_length=SHORT_TEXT_MAX_CHARS
    )

    parent_consent_given = forms.BooleanField(
        label=_("A parent or carer agreed that we handle the report and share it"),
        required=False,
    )
    child_consent_given = forms.BooleanField(
        label=_("The child (aged 7 or more) agreed that we handle the report and share it"),
        required=False,
    )

    reporter_fields = (
        "reporter_relation",
        "reporter_name",
        "reporter_contact",
        "reporter_wants_updates",
        "child_name",
        "child_school",
        "parent_consent_given",
        "child_consent_given",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporter_relation"].label = _("Caller")
        self.fields["reporter_name"].label = _("Caller's name")
        self.fields["reporter_contact"].label = _("Caller's phone number or e-mail")
        self.fields["reporter_contact"].help_text = ""
        self.fields["consent_given"].label = _(
            "I read the consent text to the caller and they agreed."
        )


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "BC-XXXXXXXX"}),
    )
    key = forms.CharField(
        label=_("Secret key"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


REVEAL_LABELS = {
    "child_name": _("Child's name"),
    "child_school": _("Child's school"),
    "reporter_name": _("Reporter's name"),
    "reporter_contact": _("Reporter's phone or e-mail"),
}


class RevealForm(forms.Form):
    """Which hidden personal data to show, and why (the reason goes to the audit trail)."""

    show = forms.MultipleChoiceField(
        label=_("Show"),
        choices=[(name, REVEAL_LABELS[name]) for name in REVEALABLE_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what to show.")},
    )
    reason = forms.CharField(
        label=_("Why do you need it?"),
        help_text=_("Written to the audit trail. Do not write the child's data here."),
        min_length=REVEAL_REASON_MIN_CHARS,
        max_length=REVEAL_REASON_MAX_CHARS,
    )

    def add_report_errors(self, error: ReportError) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ConfirmForm(forms.Form):
    """A deliberate step: the box must be ticked."""

    confirm = forms.BooleanField(
        label=_("I confirm"),
        error_messages={"required": _("Tick the box to confirm.")},
    )
