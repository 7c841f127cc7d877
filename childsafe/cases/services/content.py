"""Classification of content, as hotlines do it: each item (a file by its SHA-256, a URL
by its normalised form) is assessed once; wherever it comes back, the decision is
re-used, so nobody has to look at it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from childsafe.cases.models import (
    Case,
    CaseEventKind,
    ContentAssessment,
    ItemKind,
)
from childsafe.cases.services.common import (
    CaseError,
    actor_org,
    record_audit,
    record_event,
    require_open,
)
from childsafe.orgs.models import User
from childsafe.reports.models import EvidenceFile, Report, ReportURL


def url_key(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True)
class Item:
    """One item of content on a case: ``value`` is the SHA-256 or the normalised URL."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return self.value if self.kind == ItemKind.FILE else url_key(self.value)

    @property
    def token(self) -> str:
        """How forms name the item: ``file:<sha256>`` or ``url:<normalised URL>``."""
        return f"{self.kind}:{self.value}"


def case_items(case: Case) -> list[Item]:
    """The distinct files and URLs of the case's reports, files first."""
    reports = Report.objects.filter(case_link__case=case)
    shas = EvidenceFile.objects.filter(report__in=reports).values_list("sha256", flat=True)
    urls = ReportURL.objects.filter(report__in=reports).values_list("normalised", flat=True)
    items = [Item(ItemKind.FILE, s) for s in sorted(set(shas))]
    return items + [Item(ItemKind.URL, u) for u in sorted(set(urls))]


def report_items(report: Report) -> list[Item]:
    shas = set(report.files.values_list("sha256", flat=True))
    urls = set(report.urls.values_list("normalised", flat=True))
    return [Item(ItemKind.FILE, s) for s in sorted(shas)] + [
        Item(ItemKind.URL, u) for u in sorted(urls)
    ]


def assessments_for(items: list[Item]) -> dict[Item, ContentAssessment]:
    """The assessment of each item that has one."""
    by_key = {(i.kind, i.key): i for i in items}
    found: dict[Item, ContentAssessment] = {}
    for kind in (ItemKind.FILE, ItemKind.URL):
        keys = [k for (kd, k) in by_key if kd == kind]
        if not keys:
            continue
        for row in ContentAssessment.objects.filter(item_kind=kind, key__in=keys):
            found[by_key[kind, row.key]] = row
    return found


def content_inherit(case: Case, report: Report, *, at: Any) -> list[ContentAssessment]:
    """At triage: the report's items already assessed keep their decision (timeline and
    audit name the assessments, never the content)."""
    inherited = list(assessments_for(report_items(report)).values())
    if inherited:
        ids = sorted(a.pk for a in inherited)
        record_event(
            case, CaseEventKind.CONTENT_INHERITED, at=at, report_id=report.pk, assessment_ids=ids
        )
        record_audit(
            "content.inherit", actor=None, obj=case, report_id=report.pk, assessment_ids=ids
        )
    return inherited


def content_assess(
    case: Case,
    *,
    item: Item,
    assessment: str,
    category: str,
    actor: User,
) -> ContentAssessment:
    """Record the decision about one item of the case; an item is assessed only once."""
    if item not in case_items(case):
        raise CaseError(_("This item is not on the case."))
    with transaction.atomic():
        require_open(case)
        if ContentAssessment.objects.filter(item_kind=item.kind, key=item.key).exists():
            raise CaseError(_("This item was already assessed."))
        try:
            with transaction.atomic():
                row = ContentAssessment.objects.create(
                    item_kind=item.kind,
                    key=item.key,
                    url=item.value if item.kind == ItemKind.URL else "",
                    assessment=assessment,
                    category=category,
                    case=case,
                    assessed_by=actor,
                    organisation=actor_org(actor),
                )
        except IntegrityError:  # someone else assessed it a moment ago
            raise CaseError(_("This item was already assessed.")) from None
        record_event(
            case,
            CaseEventKind.CONTENT_ASSESSED,
            actor=actor,
            assessment_id=row.pk,
            item_kind=item.kind,
            assessment=assessment,
        )
        record_audit(
            "content.assess",
            actor=actor,
            obj=row,
            case_id=case.pk,
            item_kind=item.kind,
            assessment=assessment,
            category=category,
        )
    return row
