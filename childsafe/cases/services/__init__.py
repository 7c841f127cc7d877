"""Everything that can happen to a case (``grep -r "def case_\\|def agency_task_"``).

Each service runs in one transaction, writes the case timeline (``CaseEvent``) and the
audit event with the change, and raises ``CaseError`` for an action the case's state
does not allow. ``actor`` is the user acting; the worker acts as ``SYSTEM_ACTOR``.

- ``triage``: reports become cases, duplicates join open cases, routing;
- ``work``: agency tasks, notes, to-dos, decisions, closing, routing rules;
- ``clocks``: statutory time limits and their escalation;
- ``consent``: consents given after the report, recorded from the case page;
- ``retention``: anonymising closed cases past their period, legal holds.
"""

from __future__ import annotations

from childsafe.cases.services.clocks import (
    clock_escalate_next,
    clock_extend,
    clock_resume,
    clock_start,
    clock_stop,
    clock_suspend,
)
from childsafe.cases.services.common import SYSTEM_ACTOR, CaseError
from childsafe.cases.services.consent import consent_record
from childsafe.cases.services.content import Item, content_assess
from childsafe.cases.services.counselling import (
    counselling_outcome_set,
    counselling_session_add,
)
from childsafe.cases.services.poi import POI_BONUS, poi_create, poi_identifier_add
from childsafe.cases.services.retention import case_retention_sweep, case_set_legal_hold
from childsafe.cases.services.triage import (
    DANGER_BONUS,
    DUPLICATE_BONUS,
    case_refresh_search_text,
    case_route,
    case_triage_confirm,
    case_triage_next,
    triage_failure_retry,
)
from childsafe.cases.services.work import (
    agency_task_accept,
    agency_task_complete,
    agency_task_reject,
    agency_task_transfer,
    case_close,
    case_task_add,
    case_task_complete,
    decision_add,
    note_add,
    routing_rule_create,
    routing_rule_set_active,
)

__all__ = [
    "DANGER_BONUS",
    "DUPLICATE_BONUS",
    "POI_BONUS",
    "SYSTEM_ACTOR",
    "CaseError",
    "Item",
    "agency_task_accept",
    "agency_task_complete",
    "agency_task_reject",
    "agency_task_transfer",
    "case_close",
    "case_refresh_search_text",
    "case_retention_sweep",
    "case_route",
    "case_set_legal_hold",
    "case_task_add",
    "case_task_complete",
    "case_triage_confirm",
    "case_triage_next",
    "clock_escalate_next",
    "content_assess",
    "counselling_outcome_set",
    "counselling_session_add",
    "clock_extend",
    "clock_resume",
    "clock_start",
    "clock_stop",
    "clock_suspend",
    "consent_record",
    "decision_add",
    "note_add",
    "poi_create",
    "poi_identifier_add",
    "routing_rule_create",
    "routing_rule_set_active",
    "triage_failure_retry",
]
