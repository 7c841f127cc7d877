"""Small factories for case tests.

Reports are created as rows (the intake service is another module's business); cases
either through triage (``case_triage_next``) or as rows with ``make_case``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterable

from django.utils import timezone

from childsafe.cases.models import AgencyTask, Case, CaseReport, CaseStatus
from childsafe.cases.services import case_refresh_search_text
from childsafe.cases.services.clocks import clocks_start_for_task
from childsafe.lib.urls import host_is_ip, normalise_url, url_host
from childsafe.orgs.models import AdminUnit, Organisation
from childsafe.reports.models import Category, Channel, EvidenceFile, Report, ReportURL

_numbers = itertools.count(1)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_report(
    *,
    category: str = Category.CSAM,
    urls: Iterable[str] = (),
    files: Iterable[str] = (),
    platform: str = "",
    child_in_danger: bool = False,
    territory: AdminUnit | None = None,
    received_at: dt.datetime | None = None,
    **extra: object,
) -> Report:
    """A report as a door would store it; ``files`` are SHA-256 digests."""
    n = next(_numbers)
    report = Report.objects.create(
        tracking_code=f"T{n:09d}",
        access_key_digest="0" * 64,
        channel=Channel.WEB,
        category=category,
        platform=platform,
        child_in_danger=child_in_danger,
        territory=territory,
        received_at=received_at or timezone.now(),
        **extra,
    )
    for raw in urls:
        host = url_host(raw)
        ReportURL.objects.create(
            report=report,
            raw=raw,
            normalised=normalise_url(raw),
            host=host,
            host_is_ip=host_is_ip(host),
        )
    for digest in files:
        EvidenceFile.objects.create(
            report=report, sha256=digest, size=2048, content_type="image/png"
        )
    return report


def make_case(
    *,
    owner: Organisation | None = None,
    tasks: Iterable[tuple[Organisation, str] | tuple[Organisation, str, str]] = (),
    category: str = Category.CSAM,
    priority: int = 50,
    status: str = CaseStatus.NEW,
    report: Report | None = None,
    **report_fields: object,
) -> Case:
    """A case as rows, holding one report, with agency tasks (organisation, function[, status])
    and the clocks their functions start."""
    now = timezone.now()
    case = Case.objects.create(
        category=category,
        priority=priority,
        status=status,
        owner=owner,
        opened_at=now,
        closed_at=now if status == CaseStatus.CLOSED else None,
    )
    case.reference = Case.make_reference(case.pk, now)
    case.save(update_fields=["reference"])
    report = report or make_report(category=category, **report_fields)  # type: ignore[arg-type]
    Report.objects.filter(pk=report.pk).update(triaged_at=now)
    CaseReport.objects.create(case=case, report=report)
    for spec in tasks:
        org, function, *rest = spec
        task = AgencyTask.objects.create(
            case=case,
            organisation=org,
            function=function,
            status=rest[0] if rest else "proposed",
            rejection_reason="not ours" if rest and rest[0] == "rejected" else "",
            proposed_at=now,
        )
        if task.status in ("proposed", "accepted"):
            clocks_start_for_task(task, now=now)  # as routing does
    case_refresh_search_text(case)
    return case


def page_says(response: object, msgid: str) -> bool:
    """Whether the page shows ``msgid`` as the user reads it (Vietnamese by default, or
    English while the catalogue has no translation yet), HTML-escaped."""
    from django.utils.html import escape
    from django.utils.translation import gettext, override

    page = response.content.decode()  # type: ignore[attr-defined]
    with override("vi"):
        translated = gettext(msgid)
    return escape(translated) in page or escape(msgid) in page
