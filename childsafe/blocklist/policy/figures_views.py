"""``/filter/figures/``: the school filtering figures, and their CSV and Excel exports.

One set of filters, scope and permission (``filter_policy.view``) for the page and its
exports: ``start`` and ``end`` days, the last seven by default, and an
optional ``school`` among those the viewer sees. Bad values get the figures page back
with the reason and status 400, and nothing is recorded. Every export is an audit event
(``filter.figures_export`` with its ``"format"``).

The workbook has four sheets: blocked queries by tier and reason (with the totals and the filters used),
by hour of the day, the most blocked names, and the ministry's indicator *schools with
DNS filtering, by tier* (``figures.filtering_indicator``). Every text cell is stored as
text, so a name a box uploaded that starts with ``=`` is never read as a formula.
"""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from childsafe.audit.services import audit_record
from childsafe.blocklist.policy.access import schools_for_user
from childsafe.blocklist.policy.figures import (
    Cell,
    FilterFigures,
    csv_rows,
    filter_figures,
    hour_chart,
    indicator_rows,
    outcome_label,
    safe_cell,
)
from childsafe.blocklist.policy.forms import FilterFiguresForm
from childsafe.lib.xlsx import XLSX_TYPE, add_sheet, new_workbook, workbook_bytes
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm


def figures_workbook(figs: FilterFigures, form: FilterFiguresForm) -> bytes:
    """The figures as an XLSX file."""
    data = form.cleaned_data
    school = data.get("school")
    book = new_workbook()
    tier_rows: list[list[Cell]] = [
        [label, *counts, total] for label, counts, total in figs.by_tier
    ]
    tier_rows.append([_("Total"), *figs.by_outcome, figs.blocked])
    tier_rows += [
        [],
        [_("From"), data["start"].isoformat()],
        [_("To"), data["end"].isoformat()],
        [_("School"), school.name if school else _("All schools")],
        [_("Queries answered"), figs.total],
        [_("Blocked queries"), figs.blocked],
    ]
    add_sheet(
        book,
        _("By tier and reason"),
        [_("Tier"), *[outcome_label(o) for o in figs.outcomes], _("Total")],
        tier_rows,
    )
    add_sheet(
        book,
        _("By hour of day"),
        [_("Hour"), _("Blocked queries")],
        [[f"{hour:02d}:00", count] for hour, count in enumerate(figs.by_hour)],
    )
    add_sheet(
        book,
        _("Most blocked domains"),
        [_("Domain"), _("Blocked queries")],
        [[domain, count] for domain, count in figs.top_domains],
    )
    if figs.indicator is not None:
        header, rows = indicator_rows(figs.indicator)
        add_sheet(book, _("Schools with DNS filtering"), header, rows)
    return workbook_bytes(book)


def figures_for_request(request: HttpRequest) -> tuple[FilterFiguresForm, FilterFigures | None]:
    schools = schools_for_user(request.user)
    form = FilterFiguresForm(request.GET, schools=schools)
    if not form.is_valid():
        return form, None
    school = form.cleaned_data.get("school")
    chosen = schools.filter(pk=school.pk) if school else schools
    return form, filter_figures(chosen, form.cleaned_data["start"], form.cleaned_data["end"])


def _audit_export(
    request: HttpRequest, form: FilterFiguresForm, figs: FilterFigures, kind: str
) -> str:
    """Record the export; its file name's stem."""
    data = form.cleaned_data
    start, end = data["start"].isoformat(), data["end"].isoformat()
    audit_record(
        "filter.figures_export",
        actor=request.user,
        object_type="blocklist.filterstats",
        detail={
            "format": kind,
            "start": start,
            "end": end,
            "school": data["school"].pk if data.get("school") else None,
            "blocked": figs.blocked,
        },
        request=request,
    )
    return f"filter-figures-{start}-{end}"


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_figures(request: HttpRequest) -> HttpResponse:
    form, figs = figures_for_request(request)
    if figs is None:
        return render(request, "blocklist/policy_figures.html", {"form": form}, status=400)
    context = {
        "form": form,
        "figs": figs,
        "chart": hour_chart(figs.by_hour),
        "hours": [(f"{h:02d}:00", n) for h, n in enumerate(figs.by_hour)],
        "query": request.GET.urlencode(),
    }
    return render(request, "blocklist/policy_figures.html", context)


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_figures_csv(request: HttpRequest) -> HttpResponse:
    form, figs = figures_for_request(request)
    if figs is None:
        return render(request, "blocklist/policy_figures.html", {"form": form}, status=400)
    stem = _audit_export(request, form, figs, "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    for row in csv_rows(figs):
        writer.writerow([safe_cell(value) for value in row])
    return response


@staff_required(Perm.FILTER_POLICY_VIEW)
@require_GET
def policy_figures_xlsx(request: HttpRequest) -> HttpResponse:
    form, figs = figures_for_request(request)
    if figs is None:
        return render(request, "blocklist/policy_figures.html", {"form": form}, status=400)
    stem = _audit_export(request, form, figs, "xlsx")
    response = HttpResponse(figures_workbook(figs, form), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response
