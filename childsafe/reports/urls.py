"""Pages of the reports app. The public pages have translated paths: /bao-cao/ in
Vietnamese, /en/report/ in English (the Vietnamese catalogue translates the paths)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from childsafe.reports import views

urlpatterns = [
    path(_("report/"), views.report_create, name="reports-report-create"),
    path(_("report/status/"), views.report_status, name="reports-report-status"),
    path(
        "hotline/reports/new/",
        views.hotline_report_create,
        name="reports-hotline-report-create",
    ),
]
