"""Triage: reports become cases, duplicates join open cases, routing proposes tasks."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import unquote

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    CATEGORY_SEVERITY,
    MAX_TRIAGE_ATTEMPTS,
    OPEN_TASK_STATUSES,
    AgencyTask,
    AgencyTaskStatus,
    Case,
    CaseEventKind,
    CaseReport,
    CaseStatus,
    RoutingRule,
    TriageFailure,
)
from childsafe.cases.search import fold
from childsafe.cases.services.clocks import clocks_start_for_task
from childsafe.cases.services.common import (
    CaseError,
    record_audit,
    record_event,
    require_open,
    set_public_status,
)
from childsafe.cases.services.content import content_inherit
from childsafe.cases.services.poi import POI_BONUS, case_has_poi_match, poi_match_report
from childsafe.cases.services.work import propose
from childsafe.orgs.models import AdminUnit, Function, Organisation, User
from childsafe.orgs.services import function_resolve
from childsafe.reports.models import Category, PublicStatus, Report

log = logging.getLogger(__name__)

# Priority added when a report says a child is in immediate danger, and per duplicate.
DANGER_BONUS = 40
DUPLICATE_BONUS = 5
DUPLICATE_BONUS_MAX = 20
# Any constant works: it names the PostgreSQL advisory lock that serialises triage.
TRIAGE_LOCK_ID = 0x43534341  # "CSCA"


def _unit_ancestry(unit: AdminUnit | None, day: dt.date) -> set[int]:
    """The unit, the units that took it over if it had ended by ``day``, and their parents."""
    found: set[int] = set()
    while unit is not None and unit.pk not in found:
        found.add(unit.pk)
        if unit.valid_to and day > unit.valid_to and unit.successor_id:
            unit = unit.successor
        else:
            unit = unit.parent
    return found


def case_refresh_search_text(case: Case) -> None:
    """Rebuild the folded search column from the reference, the reports and categories."""
    parts: list[str] = [case.reference or ""]
    categories = {case.category}
    for report in Report.objects.filter(case_link__case=case).prefetch_related("urls"):
        categories.add(report.category)
        parts += [report.tracking_code, report.platform]
        for url in report.urls.all():
            parts += [url.raw, url.normalised, unquote(url.normalised), url.host]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            parts += [str(Category(c).label) for c in sorted(categories)]
    case.search_text = fold(" ".join(p for p in parts if p))
    case.save(update_fields=["search_text"])


def case_triage_next(*, now: dt.datetime | None = None) -> Case | None:
    """Triage the oldest untriaged report; return its case, or ``None`` if none waits.

    The report is claimed with a conditional update that goes on only if exactly one row
    changed, so several workers can run. Claim, case, routing, timeline and audit event
    commit together: a failure leaves the report untriaged for the next pass.
    """
    now = now or timezone.now()
    while True:
        report_id = (
            Report.objects.filter(triaged_at__isnull=True)
            .exclude(triage_failure__attempts__gte=MAX_TRIAGE_ATTEMPTS)
            .order_by("received_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if report_id is None:
            return None
        try:
            with transaction.atomic():
                claimed = Report.objects.filter(pk=report_id, triaged_at__isnull=True).update(
                    triaged_at=now
                )
                if claimed != 1:
                    continue  # another worker took it: try the next one
                report = Report.objects.select_related("territory").get(pk=report_id)
                return _triage(report, now=now)
        except Exception as exc:
            # The triage rolled back; count the failure in a transaction of its own.
            _record_failure(report_id, exc, now=now)
            raise


def _record_failure(report_id: int, exc: Exception, *, now: dt.datetime) -> None:
    """Count one failed triage of a report; at the last attempt, log once and give up."""
    with transaction.atomic():
        failure, _created = TriageFailure.objects.get_or_create(
            report_id=report_id, defaults={"first_failed_at": now, "last_failed_at": now}
        )
        TriageFailure.objects.filter(pk=failure.pk).update(
            attempts=F("attempts") + 1, last_failed_at=now, error=type(exc).__name__[:100]
        )
        failure.refresh_from_db()
    if failure.attempts == MAX_TRIAGE_ATTEMPTS:
        log.error(
            "triage of report %s failed %d times (%s): skipped until a retry",
            report_id,
            failure.attempts,
            failure.error,
        )


def triage_failure_retry(failure: TriageFailure, *, actor: User) -> None:
    """A person asks the worker to try a skipped report again."""
    with transaction.atomic():
        report = failure.report
        if TriageFailure.objects.filter(pk=failure.pk).delete()[0] != 1:
            raise CaseError(_("This report is already waiting for triage again."))
        record_audit("case.triage_retry", actor=actor, obj=report, attempts=failure.attempts)


def _serialise_triage() -> None:
    """One triage at a time, so two reports of the same URL never open two cases.

    SQLite already serialises writers (IMMEDIATE transactions); PostgreSQL takes a lock
    held until the transaction ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TRIAGE_LOCK_ID])


def _open_case_holding(report: Report) -> tuple[Case | None, str]:
    """An open case already holding one of the report's URLs or files, and the match."""
    urls = list(report.urls.values_list("normalised", flat=True))
    shas = list(report.files.values_list("sha256", flat=True))
    open_cases = Case.objects.exclude(status=CaseStatus.CLOSED).order_by("opened_at", "pk")
    if urls:
        case = open_cases.filter(case_reports__report__urls__normalised__in=urls).first()
        if case is not None:
            return case, "url"
    if shas:
        case = open_cases.filter(case_reports__report__files__sha256__in=shas).first()
        if case is not None:
            return case, "sha256"
    return None, ""


def _computed_priority(case: Case, boost: int) -> int:
    reports = list(Report.objects.filter(case_link__case=case).only("category", "child_in_danger"))
    severity = max(CATEGORY_SEVERITY.get(r.category, 0) for r in reports)
    danger = DANGER_BONUS if any(r.child_in_danger for r in reports) else 0
    duplicates = min(DUPLICATE_BONUS * (len(reports) - 1), DUPLICATE_BONUS_MAX)
    poi = POI_BONUS if case_has_poi_match(case) else 0
    return severity + danger + duplicates + poi + boost


def _triage(report: Report, *, now: dt.datetime) -> Case:
    _serialise_triage()
    existing = CaseReport.objects.filter(report=report).select_related("case").first()
    if existing is not None:  # linked by hand before the worker came: nothing to do
        return existing.case
    day = timezone.localdate(now)
    case, matched_on = _open_case_holding(report)
    opened = case is None
    if case is None:
        case = Case.objects.create(
            category=report.category,
            status=CaseStatus.NEW,
            owner=function_resolve(Function.CHILD_PROTECTION, on=day, territory=report.territory),
            territory=report.territory,
            opened_at=now,
        )
        case.reference = Case.make_reference(case.pk, now)
        case.save(update_fields=["reference"])
        record_event(case, CaseEventKind.OPENED, at=now, organisation=case.owner)
    elif CATEGORY_SEVERITY.get(report.category, 0) > CATEGORY_SEVERITY.get(case.category, 0):
        case.category = report.category
        case.save(update_fields=["category"])
    CaseReport.objects.create(case=case, report=report, linked_at=now, matched_on=matched_on)
    record_event(
        case,
        CaseEventKind.REPORT_LINKED,
        at=now,
        report_id=report.pk,
        channel=report.channel,
        matched_on=matched_on,
    )
    content_inherit(case, report, at=now)
    poi_match_report(case, report, now=now)
    tasks, boost = _route(case, report, day=day, now=now)
    priority = _computed_priority(case, boost)
    if priority > case.priority:
        case.priority = priority
        case.save(update_fields=["priority"])
    case_refresh_search_text(case)
    is_forwarded = case.agency_tasks.filter(
        status__in=(AgencyTaskStatus.ACCEPTED, AgencyTaskStatus.DONE)
    ).exists()
    set_public_status(
        case, PublicStatus.FORWARDED if is_forwarded else PublicStatus.UNDER_REVIEW, actor=None
    )
    record_audit(
        "case.triage",
        actor=None,
        obj=case,
        report_id=report.pk,
        opened=opened,
        matched_on=matched_on,
        priority=case.priority,
        tasks=[t.pk for t in tasks],
    )
    return case


def _route(
    case: Case, report: Report, *, day: dt.date, now: dt.datetime
) -> tuple[list[AgencyTask], int]:
    """Apply the routing rules to one report: new agency tasks and the priority boost."""
    has_urls = report.urls.exists()
    units = _unit_ancestry(report.territory, day)
    rules = [
        rule
        for rule in RoutingRule.objects.filter(is_active=True, category=report.category)
        if rule.matches(report.category, has_urls=has_urls, territory_ids=units)
    ]
    created: list[AgencyTask] = []
    boost = max((rule.priority_boost for rule in rules), default=0)
    for rule in rules:
        org = function_resolve(rule.function, on=day, territory=report.territory)
        if org is None:
            log.warning("no organisation holds %s for case %s", rule.function, case.pk)
            record_event(case, CaseEventKind.ROUTING_UNRESOLVED, at=now, function=rule.function)
            continue
        already = AgencyTask.objects.filter(
            case=case, organisation=org, function=rule.function, status__in=OPEN_TASK_STATUSES
        ).exists()
        if already:
            continue
        task = AgencyTask.objects.create(
            case=case, organisation=org, function=rule.function, routing_rule=rule, proposed_at=now
        )
        created.append(task)
        record_event(
            case,
            CaseEventKind.ROUTED,
            at=now,
            organisation=org,
            task_id=task.pk,
            function=rule.function,
            rule_id=rule.pk,
        )
        clocks_start_for_task(task, now=now)
    return created, boost


def case_triage_confirm(case: Case, *, priority: int, actor: User) -> Case:
    """A person confirms the automatic triage, setting the priority; the case leaves the queue."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        fields = []
        if priority != case.priority:
            record_event(
                case, CaseEventKind.PRIORITY_CHANGED, actor=actor, old=case.priority, new=priority
            )
            case.priority = priority
            fields.append("priority")
        if case.status == CaseStatus.NEW:
            case.status = CaseStatus.TRIAGED
            fields.append("status")
        case.save(update_fields=fields)
        record_event(case, CaseEventKind.TRIAGED, actor=actor, priority=priority)
        record_audit("case.triage_confirm", actor=actor, obj=case, priority=priority)
    return case


def case_route(
    case: Case,
    *,
    function: str,
    actor: User,
    organisation: Organisation | None = None,
    now: dt.datetime | None = None,
) -> AgencyTask:
    """Refer the case to one more agency: the holder of ``function``, or ``organisation``."""
    now = now or timezone.now()
    with transaction.atomic():
        require_open(case)
        org = organisation or function_resolve(
            function, on=timezone.localdate(now), territory=case.territory
        )
        if org is None:
            raise CaseError(_("No organisation holds this function for the case's territory."))
        task = propose(case, org, function, actor=actor, now=now)
        record_audit("case.route", actor=actor, obj=case, task_id=task.pk, function=function)
    return task
