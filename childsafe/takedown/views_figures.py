"""The takedown figures page and its CSV and XLSX exports.

ICT officers see the figures of the orders issued by their organisation and the units
below it; the province coordinator those of every order (``access.orders_for_user``).
The three views take the same filters: ``start`` and ``end`` months (``YYYY-MM``, the last
twelve months by default, at most ten years) and a ``provider``. Bad values get the page
back with the reason and status 400. Every export is recorded in the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from childsafe.audit.services import audit_record
from childsafe.lib.xlsx import XLSX_TYPE, add_sheet, new_workbook, workbook_bytes
from childsafe.orgs.access import staff_required
from childsafe.orgs.models import Organisation
from childsafe.orgs.roles import Perm
from childsafe.takedown.access import orders_for_user, providers_for_user
from childsafe.takedown.figures import (
    VN,
    Figures,
    OrderFacts,
    add_months,
    charts,
    export_header,
    export_rows,
    figures,
    month_span,
    months_between,
    safe_text,
)

MAX_MONTHS = 120
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class MonthInput(forms.TextInput):
    input_type = "month"


def _parse_month(text: str) -> dt.date:
    match = _MONTH.fullmatch(text.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise forms.ValidationError(
        _("Give a month as YYYY-MM (for example 2025-03), from the year 2000 on.")
    )


class FiguresFilterForm(forms.Form):
    start = forms.CharField(label=gettext_lazy("From month"), max_length=7, widget=MonthInput)
    end = forms.CharField(label=gettext_lazy("To month"), max_length=7, widget=MonthInput)
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Provider"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("All providers"),
    )

    def __init__(self, query: QueryDict, *, user: Any) -> None:
        super().__init__(self._with_defaults(query))
        self.fields["provider"].queryset = providers_for_user(user).order_by("name")  # type: ignore[attr-defined]

    @staticmethod
    def _with_defaults(query: QueryDict) -> QueryDict:
        """The last twelve months (to the end month, if one is given) unless told."""
        data = query.copy()
        if not data.get("end"):
            data["end"] = timezone.now().astimezone(VN).strftime("%Y-%m")
        if not data.get("start"):
            try:
                end = _parse_month(str(data["end"]))
            except forms.ValidationError:
                end = timezone.now().astimezone(VN).date().replace(day=1)
            data["start"] = add_months(end, -11).strftime("%Y-%m")
        return data

    def clean_start(self) -> dt.date:
        return _parse_month(self.cleaned_data["start"])

    def clean_end(self) -> dt.date:
        return _parse_month(self.cleaned_data["end"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start, end = data["start"], data["end"]
        if start > end:
            raise forms.ValidationError(_("The first month comes after the last one."))
        if len(months_between(start, end)) > MAX_MONTHS:
            raise forms.ValidationError(
                _("Choose at most %(n)d months at a time.") % {"n": MAX_MONTHS}
            )
        return data

    def query(self) -> str:
        """The cleaned filters as a query string, for the export links."""
        params = {
            "start": self.cleaned_data["start"].strftime("%Y-%m"),
            "end": self.cleaned_data["end"].strftime("%Y-%m"),
        }
        if self.cleaned_data.get("provider"):
            params["provider"] = str(self.cleaned_data["provider"].pk)
        return urlencode(params)


def _load(request: HttpRequest) -> tuple[FiguresFilterForm, Figures | None]:
    user: Any = request.user
    form = FiguresFilterForm(request.GET, user=user)
    if not form.is_valid():
        return form, None
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    provider = form.cleaned_data.get("provider")
    first_at, end_at = month_span(start, end)
    orders = orders_for_user(user).filter(issued_at__gte=first_at, issued_at__lt=end_at)
    if provider is not None:
        orders = orders.filter(provider=provider)
    rows = orders.values_list(
        "provider_id",
        "provider__name",
        "action",
        "status",
        "issued_at",
        "acknowledged_at",
        "removed_at",
    )
    facts = [
        OrderFacts(pid, name, action, status, issued_at, acked_at, removed_at)
        for pid, name, action, status, issued_at, acked_at, removed_at in rows
        if issued_at is not None
    ]
    return form, figures(facts, months_between(start, end))


def _bad_filters(request: HttpRequest, form: FiguresFilterForm) -> HttpResponse:
    return render(request, "takedown/figures.html", {"form": form}, status=400)


@staff_required(Perm.ORDER_VIEW)
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    form, figs = _load(request)
    if figs is None:
        return _bad_filters(request, form)
    context = {"form": form, "figs": figs, "charts": charts(figs), "query": form.query()}
    return render(request, "takedown/figures.html", context)


def _audit_export(request: HttpRequest, form: FiguresFilterForm, figs: Figures, fmt: str) -> None:
    provider = form.cleaned_data.get("provider")
    audit_record(
        "takedown.figures_export",
        actor=request.user,
        object_type="takedown.takedownorder",
        detail={
            "format": fmt,
            "start": form.cleaned_data["start"].strftime("%Y-%m"),
            "end": form.cleaned_data["end"].strftime("%Y-%m"),
            "provider_id": provider.pk if provider else None,
            "orders": figs.total.stats.issued,
        },
        request=request,
    )


def _filename(form: FiguresFilterForm, ext: str) -> str:
    start = form.cleaned_data["start"].strftime("%Y-%m")
    end = form.cleaned_data["end"].strftime("%Y-%m")
    return f"takedown-figures-{start}-{end}.{ext}"


@staff_required(Perm.ORDER_VIEW)
@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    form, figs = _load(request)
    if figs is None:
        return _bad_filters(request, form)
    _audit_export(request, form, figs, "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "csv")}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(export_header())
    for row in export_rows(figs):
        writer.writerow(
            ["" if v is None else safe_text(v) if isinstance(v, str) else v for v in row]
        )
    return response


@staff_required(Perm.ORDER_VIEW)
@require_GET
def figures_xlsx(request: HttpRequest) -> HttpResponse:
    form, figs = _load(request)
    if figs is None:
        return _bad_filters(request, form)
    _audit_export(request, form, figs, "xlsx")
    book = new_workbook()
    add_sheet(book, _("Takedown figures"), export_header(), export_rows(figs), freeze="C2")
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "xlsx")}"'
    return response
