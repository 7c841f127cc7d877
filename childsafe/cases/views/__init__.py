"""Pages of the case file: queue, list and search, detail, and the actions on a case.

Every action is a POST to its own URL; a form error or a refused action renders the case
again with status 400 and the message, success redirects back to the case.

By topic: ``lists`` (queue, triage failures, list and search), ``detail`` (the case page
and the ``_detail``/``_back`` helpers every action uses), ``actions`` (the actions on a
case and its agency tasks), ``clocks`` and ``routing``.
"""

from __future__ import annotations

from childsafe.cases.views.actions import (
    agency_task_accept,
    agency_task_done,
    agency_task_reject,
    agency_task_transfer,
    case_close,
    case_legal_hold,
    case_route,
    case_task_add,
    case_task_done,
    case_triage,
    content_assess,
    counselling_outcome_set,
    counselling_session_add,
    decision_add,
    note_add,
)
from childsafe.cases.views.clocks import (
    clock_extend,
    clock_resume,
    clock_start,
    clock_stop,
    clock_suspend,
)
from childsafe.cases.views.detail import (
    _back,
    _detail,
    case_detail,
)
from childsafe.cases.views.lists import (
    PAGE_SIZE,
    _page,
    _with_next_due,
    case_list,
    case_queue,
    triage_failure_list,
    triage_failure_retry,
)
from childsafe.cases.views.routing import (
    routing_rule_list,
    routing_rule_toggle,
)

__all__ = [
    "PAGE_SIZE",
    "_page",
    "_with_next_due",
    "case_queue",
    "triage_failure_list",
    "triage_failure_retry",
    "case_list",
    "_detail",
    "_back",
    "case_detail",
    "case_triage",
    "case_route",
    "case_close",
    "agency_task_accept",
    "agency_task_reject",
    "agency_task_transfer",
    "agency_task_done",
    "note_add",
    "case_task_add",
    "case_task_done",
    "decision_add",
    "content_assess",
    "counselling_session_add",
    "counselling_outcome_set",
    "case_legal_hold",
    "routing_rule_list",
    "routing_rule_toggle",
    "clock_start",
    "clock_extend",
    "clock_suspend",
    "clock_resume",
    "clock_stop",
]
