"""The shared case file, by topic:

- ``case``: cases, the reports they hold, agency tasks, the timeline, notes, to-dos and
  decisions;
- ``routing``: the routing rules that decide which agencies receive a case;
- ``clocks``: the statutory clocks (``ClockRule`` versions and their extension steps,
  ``Clock``, ``ClockEvent``);
- ``content``: content assessments; ``poi``: persons of interest (police only);
- ``counselling``: counselling sessions and outcomes; ``triage``: triage failures;
- ``retention``: retention rules.

Import from ``childsafe.cases.models``; every model is re-exported here, in the order
Django registered them before the split.
"""

from __future__ import annotations

from childsafe.lib.models import AppendOnlyError

# isort: off
# In the order Django registered the models before the split (one models.py).
from childsafe.cases.models.case import (
    CATEGORY_SEVERITY,
    HIDDEN_TASK_STATUSES,
    OPEN_TASK_STATUSES,
    AgencyTask,
    AgencyTaskStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseReport,
    CaseStatus,
    CaseTask,
    Decision,
    DecisionKind,
    Note,
    OutcomeCode,
)
from childsafe.cases.models.routing import RoutingRule
from childsafe.cases.models.clocks import (
    Clock,
    ClockEvent,
    ClockEventKind,
    ClockExtensionStep,
    ClockRule,
    ClockRuleQuerySet,
    ClockState,
    ExtensionBase,
    PeriodUnit,
    SuspensionGround,
    add_period,
)
from childsafe.cases.models.content import (
    AssessmentKind,
    ContentAssessment,
    ItemKind,
)
from childsafe.cases.models.poi import (
    IdentifierKind,
    OffenderIdentifier,
    PersonOfInterest,
    PoiMatch,
    PoiSource,
)
from childsafe.cases.models.counselling import (
    CounsellingOutcome,
    CounsellingSession,
    ReferralOutcome,
    SessionMode,
)
from childsafe.cases.models.triage import (
    MAX_TRIAGE_ATTEMPTS,
    TriageFailure,
)
from childsafe.cases.models.retention import RetentionRule
# isort: on

__all__ = [
    "CATEGORY_SEVERITY",
    "AppendOnlyError",
    "CaseStatus",
    "OutcomeCode",
    "Case",
    "CaseReport",
    "AgencyTaskStatus",
    "OPEN_TASK_STATUSES",
    "HIDDEN_TASK_STATUSES",
    "AgencyTask",
    "CaseEventKind",
    "CaseEvent",
    "Note",
    "CaseTask",
    "DecisionKind",
    "Decision",
    "RoutingRule",
    "PeriodUnit",
    "add_period",
    "ClockRuleQuerySet",
    "ClockRule",
    "ExtensionBase",
    "ClockExtensionStep",
    "ClockState",
    "Clock",
    "ClockEventKind",
    "SuspensionGround",
    "ClockEvent",
    "AssessmentKind",
    "ItemKind",
    "ContentAssessment",
    "PoiSource",
    "PersonOfInterest",
    "IdentifierKind",
    "OffenderIdentifier",
    "PoiMatch",
    "SessionMode",
    "CounsellingSession",
    "ReferralOutcome",
    "CounsellingOutcome",
    "TriageFailure",
    "MAX_TRIAGE_ATTEMPTS",
    "RetentionRule",
]
