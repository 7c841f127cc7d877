"""URLs of the reports on a case page (views in ``cases/report_views.py``)."""

from __future__ import annotations

from django.urls import path

from childsafe.cases import report_views

urlpatterns = [
    path(
        "cases/<int:case_id>/reports/<int:report_id>/reveal/",
        report_views.report_reveal_view,
        name="cases-report-reveal",
    ),
    path(
        "cases/<int:case_id>/reports/<int:report_id>/consents/",
        report_views.consent_record_view,
        name="cases-consent-record",
    ),
    path(
        "cases/<int:case_id>/consents/<int:consent_id>/withdraw/",
        report_views.consent_withdraw_view,
        name="cases-consent-withdraw",
    ),
    path(
        "cases/<int:case_id>/evidence/<int:file_id>/",
        report_views.evidence_detail,
        name="cases-evidence-detail",
    ),
    path(
        "cases/<int:case_id>/evidence/<int:file_id>/preview.png",
        report_views.evidence_preview_view,
        name="cases-evidence-preview",
    ),
    path(
        "cases/<int:case_id>/evidence/<int:file_id>/unblur/",
        report_views.evidence_unblur_view,
        name="cases-evidence-unblur",
    ),
]
