"""The reports on a case page, handled with care: revealing hidden personal data with a
reason, withdrawing consent, and looking at evidence blurred first.

- ``POST /cases/<case>/reports/<report>/reveal/`` (``case.view``): the chosen fields of
  the child's and reporter's data, on that response only (``no-store``), after the
  audit event ``report.reveal`` with the reason.
- ``POST /cases/<case>/reports/<report>/consents/`` (``case.view``, the hotline or the
  case's owner): a consent given after the report (a parent's, the child's, the
  reporter's), one record per purpose.
- ``POST /cases/<case>/consents/<consent>/withdraw/`` (``case.view``): a person withdrew
  their consent; withdrawing consent to processing flags the report on the case.
- ``GET /cases/<case>/evidence/<file>/`` (``evidence.view``): metadata first (type, size,
  SHA-256, whether a person viewed it, an earlier classification) and a blurred grey
  preview; ``GET .../preview.png`` is that preview, re-encoded on the server.
- ``POST /cases/<case>/evidence/<file>/unblur/`` (``evidence.view``): the deliberate,
  confirmed, audited step that answers the original file (PDFs as a download only), or
  403 once today's exposure limit is reached.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from childsafe.audit.services import audit_record
from childsafe.cases.access import (
    get_case_for_user,
    get_consent_for_user,
    get_evidence_file_for_user,
    get_report_for_consent,
    get_report_for_user,
    staff_user,
)
from childsafe.cases.forms import ConsentRecordForm
from childsafe.cases.models import ContentAssessment, ItemKind
from childsafe.cases.services import CaseError, consent_record
from childsafe.cases.views.detail import _back, _detail
from childsafe.orgs.access import staff_required
from childsafe.orgs.roles import Perm
from childsafe.reports.evidence import (
    EvidenceError,
    evidence_preview,
    evidence_unblur,
    exposure_today,
)
from childsafe.reports.forms import REVEAL_LABELS, ConfirmForm, RevealForm
from childsafe.reports.models import EvidenceFile
from childsafe.reports.services import ConsentError, ReportError, consent_withdraw, report_reveal


@staff_required(Perm.CASE_VIEW)
@never_cache
@require_POST
def report_reveal_view(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    report = get_report_for_user(user, case, report_id)
    form = RevealForm(request.POST, auto_id=f"id_reveal{report.pk}_%s")
    if form.is_valid():
        try:
            values = report_reveal(
                report,
                fields=form.cleaned_data["show"],
                reason=form.cleaned_data["reason"],
                actor=user,
                request=request,
            )
        except ReportError as exc:
            form.add_report_errors(exc)
        else:
            shown = [(REVEAL_LABELS[name], value) for name, value in values.items()]
            return render(
                request,
                "cases/report_reveal.html",
                {"case": case, "report": report, "shown": shown},
            )
    return render(
        request,
        "cases/report_reveal.html",
        {"case": case, "report": report, "form": form},
        status=400,
    )


@staff_required(Perm.CASE_VIEW)
@require_POST
def consent_record_view(request: HttpRequest, case_id: int, report_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    report = get_report_for_consent(user, case, report_id)
    form = ConsentRecordForm(request.POST, auto_id=f"id_consent{report.pk}_%s")
    if not form.is_valid():
        return _detail(request, case, status=400, consent_form=form, report_id=report.pk)
    try:
        consent_record(
            report,
            case=case,
            given_by=form.cleaned_data["given_by"],
            scopes=form.cleaned_data["scopes"],
            given_at=form.cleaned_data["given_at"],
            actor=user,
        )
    except CaseError as exc:
        return _detail(
            request, case, status=400, error=str(exc), consent_form=form, report_id=report.pk
        )
    return _back(request, case, _("The consent was recorded."))


@staff_required(Perm.CASE_VIEW)
@require_POST
def consent_withdraw_view(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    consent = get_consent_for_user(user, case, consent_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _detail(
            request, case, status=400, error=_("Tick the box to confirm the withdrawal.")
        )
    try:
        consent_withdraw(consent, actor=user)
    except ConsentError as exc:
        return _detail(request, case, status=400, error=str(exc))
    return _back(request, case, _("The withdrawal of consent was recorded."))


def _earlier_assessment(file: EvidenceFile) -> ContentAssessment | None:
    """The classification of the same file (same SHA-256), if someone already made it:
    then nobody needs to look at it again."""
    return (
        ContentAssessment.objects.filter(item_kind=ItemKind.FILE, key=file.sha256)
        .select_related("assessed_by")
        .first()
    )


def _evidence_page(
    request: HttpRequest,
    case: Any,
    file: EvidenceFile,
    *,
    form: ConfirmForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = staff_user(request)
    context = {
        "case": case,
        "file": file,
        "form": form or ConfirmForm(),
        "error": error,
        "assessment": _earlier_assessment(file),
        "view_count": file.views.filter(is_blurred=False).count(),
        "exposure": exposure_today(user),
    }
    return render(request, "cases/evidence_detail.html", context, status=status)


@staff_required(Perm.EVIDENCE_VIEW)
@never_cache
@require_GET
def evidence_detail(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    file = get_evidence_file_for_user(user, case, file_id)
    return _evidence_page(request, case, file)


def _file_response(
    content: bytes, content_type: str, disposition: str, *, status: int = 200
) -> HttpResponse:
    """Evidence bytes, with headers that stop browsers guessing, caching or running it."""
    response = HttpResponse(content, content_type=content_type, status=status)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@staff_required(Perm.EVIDENCE_VIEW)
@require_GET
def evidence_preview_view(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    file = get_evidence_file_for_user(user, case, file_id)
    try:
        preview = evidence_preview(file)
    except EvidenceError as exc:
        return _file_response(
            exc.message.encode(), "text/plain; charset=utf-8", "inline", status=exc.status
        )
    # Even a blurred view of evidence is a view of sensitive data: it is audited.
    audit_record("evidence.preview", actor=user, obj=file, request=request)
    name = f"evidence-{file.sha256[:12]}-blurred.png"
    return _file_response(preview, "image/png", f'inline; filename="{name}"')


@staff_required(Perm.EVIDENCE_VIEW)
@never_cache
@require_POST
def evidence_unblur_view(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    file = get_evidence_file_for_user(user, case, file_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _evidence_page(request, case, file, form=form, status=400)
    try:
        original = evidence_unblur(file, actor=user, request=request)
    except EvidenceError as exc:
        return _evidence_page(request, case, file, error=exc.message, status=exc.status)
    extension = file.content_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    name = f"evidence-{file.sha256[:12]}.{extension}"
    # Pictures open in the browser; anything else (PDF) is a download, never rendered here.
    disposition = "inline" if file.is_image else "attachment"
    return _file_response(original, file.content_type, f'{disposition}; filename="{name}"')
