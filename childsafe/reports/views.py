"""The public reporting page, its status lookup, and the hotline entry.

Pages that show or take a tracking code and key are never cached (``never_cache``
sends ``Cache-Control: no-store``): the key is shown once, on the answer to the POST.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from childsafe.lib.ratelimit import client_address, ratelimit_hit
from childsafe.orgs.access import public, staff_required
from childsafe.orgs.roles import Perm
from childsafe.reports.consent import consent_text
from childsafe.reports.forms import HotlineReportForm, ReportForm, StatusForm
from childsafe.reports.models import Channel
from childsafe.reports.services import ReportError, report_public_status, report_submit

# Offered as suggestions in the "where did it happen" field; any text is accepted.
PLATFORMS = [
    "Facebook",
    "Messenger",
    "Zalo",
    "TikTok",
    "YouTube",
    "Instagram",
    "Telegram",
    "Discord",
    "Roblox",
    "Free Fire",
    "Liên Quân Mobile",
    "X (Twitter)",
    "Threads",
    "Google",
]


@public
@never_cache
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        limited = _rate_limited(request, "report-submit", settings.REPORT_SUBMIT_RATE_PER_HOUR)
        if limited is not None:
            return limited
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    return _submit(
        request, form, channel=Channel.WEB, actor=None, template="reports/report_create.html"
    )


@staff_required(Perm.REPORT_HOTLINE_ENTRY)
@never_cache
@require_http_methods(["GET", "POST"])
def hotline_report_create(request: HttpRequest) -> HttpResponse:
    form = HotlineReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    return _submit(
        request,
        form,
        channel=Channel.HOTLINE,
        actor=request.user,
        template="reports/hotline_report_create.html",
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST if request.method == "POST" else None)
    status = None
    code = 200
    if request.method == "POST":
        limited = _rate_limited(request, "report-status", settings.REPORT_STATUS_RATE_PER_HOUR)
        if limited is not None:
            return limited
        if form.is_valid():
            status = report_public_status(form.cleaned_data["code"], form.cleaned_data["key"])
            if status is None:
                form.add_error(
                    None,
                    _(
                        "We found no report with this tracking code and secret key. "
                        "Check both and try again."
                    ),
                )
                code = 404
        else:
            code = 400
    return render(
        request, "reports/report_status.html", {"form": form, "status": status}, status=code
    )


def _submit(
    request: HttpRequest, form: ReportForm, *, channel: str, actor: Any, template: str
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            report, access_key = report_submit(
                channel=channel,
                data=form.report_data(),
                files=form.cleaned_data["files"],
                actor=actor,
            )
        except ReportError as exc:
            form.add_report_errors(exc)
        else:
            return render(
                request,
                "reports/report_receipt.html",
                {"report": report, "access_key": access_key, "is_hotline": actor is not None},
            )
    context = {"form": form, "platforms": PLATFORMS, "consent_text": consent_text()}
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def _rate_limited(request: HttpRequest, scope: str, limit: int) -> HttpResponse | None:
    verdict = ratelimit_hit(scope, client_address(request), limit=limit)
    if verdict.allowed:
        return None
    minutes = max(1, (verdict.retry_after_secs + 59) // 60)
    response = render(request, "reports/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after_secs)
    return response
