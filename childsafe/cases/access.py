"""Who sees which case, and which parts of it: the only way views and the API load them.

- A case is visible to a role holding ``case.view`` when the user's organisation (or one
  below it) owns the case or holds an agency task on it that it has not rejected (and
  that was not withdrawn); province-wide roles with ``case.view`` (the coordinator) see
  every case. Everything else, missing or not yours, is a 404.
- Only the receiving organisation (the user's own organisation or one below it) acts on
  an agency task: the province-wide scope does not extend to acting for an agency.
- A note, or a task on the case, is visible to its organisation and the organisations
  below it; a shared note is visible to everyone who sees the case.
- A report, its consents and its personal data (revealed with a reason) are for whoever
  sees the case; its evidence files only for roles holding ``evidence.view``. A consent
  given later is recorded by the hotline (``report.hotline_entry``) or by the case's
  owner organisation (and the units below it); anyone who sees the case records a
  withdrawal.
- Persons of interest, their identifiers and their matches are seen only by roles with
  ``poi.view`` (the police), for the persons recorded by their organisation or a unit
  below it; for anyone else they do not exist (404, and nothing on the case page).
- Counselling sessions and the referral outcome of a counselling task are seen only by
  the receiving facility (and the units below it) and by the case's owner organisation
  (and the units below it); only the facility records them.
- A clock is everyone's to see on the case; the agency whose task it times extends,
  suspends and resumes it; a clock on no task (a breach notice) is the triage roles'.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from childsafe.cases.models import (
    HIDDEN_TASK_STATUSES,
    AgencyTask,
    AgencyTaskStatus,
    Case,
    CaseTask,
    Clock,
    Note,
    PersonOfInterest,
    PoiMatch,
)
from childsafe.orgs.access import org_scope_ids
from childsafe.orgs.models import Organisation, User
from childsafe.orgs.roles import Perm, role_has_perm
from childsafe.orgs.services import org_descendant_ids
from childsafe.reports.models import ConsentRecord, EvidenceFile, Report


def staff_user(request: HttpRequest) -> User:
    """The user of a request behind ``staff_required``: always a logged-in ``User``, typed
    as one, so views hand it to access helpers and services without casts."""
    user = request.user
    if not isinstance(user, User):  # staff_required already sent visitors to the login
        raise PermissionDenied
    return user


def own_org_ids(user: User) -> set[int]:
    """The user's organisation and those below it, whatever the role's scope."""
    if user.organisation_id is None:
        return set()
    return org_descendant_ids({user.organisation_id})


def org_ancestor_ids(user: User) -> set[int]:
    """The user's organisation and those above it: whose internal records the user reads."""
    found: set[int] = set()
    org_id = user.organisation_id
    while org_id is not None and org_id not in found:
        found.add(org_id)
        org_id = Organisation.objects.filter(pk=org_id).values_list("parent_id", flat=True).first()
    return found


def cases_for_user(user: User) -> QuerySet[Case]:
    if not role_has_perm(user.role, Perm.CASE_VIEW):
        return Case.objects.none()
    ids = org_scope_ids(user)
    if ids is None:
        return Case.objects.all()
    tasks = AgencyTask.objects.filter(organisation_id__in=ids).exclude(
        status__in=HIDDEN_TASK_STATUSES
    )
    return Case.objects.filter(Q(owner_id__in=ids) | Q(pk__in=tasks.values("case_id")))


def get_case_for_user(user: User, case_id: int) -> Case:
    try:
        return cases_for_user(user).select_related("owner", "territory").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


def can_act_on_task(user: User, task: AgencyTask) -> bool:
    return role_has_perm(user.role, Perm.CASE_WORK) and task.organisation_id in own_org_ids(user)


def get_agency_task_for_user(user: User, case: Case, task_id: int) -> AgencyTask:
    """An agency task of a visible case that the user's organisation receives."""
    task = (
        AgencyTask.objects.filter(case=case, pk=task_id, organisation_id__in=own_org_ids(user))
        .select_related("case", "organisation", "transferred_from")
        .first()
    )
    if task is None or not role_has_perm(user.role, Perm.CASE_WORK):
        raise Http404
    return task


def notes_for_user(user: User, case: Case) -> QuerySet[Note]:
    return Note.objects.filter(case=case).filter(
        Q(is_shared=True) | Q(organisation_id__in=org_ancestor_ids(user))
    )


def case_tasks_for_user(user: User, case: Case) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(case=case).filter(
        Q(assignee=user) | Q(organisation_id__in=org_ancestor_ids(user))
    )


def get_case_task_for_user(user: User, case: Case, case_task_id: int) -> CaseTask:
    task = case_tasks_for_user(user, case).select_related("case").filter(pk=case_task_id).first()
    if task is None:
        raise Http404
    return task


def can_act_on_clock(user: User, clock: Clock) -> bool:
    if clock.agency_task is not None:
        return can_act_on_task(user, clock.agency_task)
    return role_has_perm(user.role, Perm.CASE_TRIAGE)


def get_clock_for_user(user: User, case: Case, clock_id: int) -> Clock:
    """A clock of a visible case that the user may act on."""
    clock = (
        Clock.objects.filter(case=case, pk=clock_id)
        .select_related("case", "rule", "agency_task")
        .first()
    )
    if clock is None or not can_act_on_clock(user, clock):
        raise Http404
    return clock


def get_report_for_user(user: User, case: Case, report_id: int) -> Report:
    """A report linked to a case the user sees (``case`` comes from ``get_case_for_user``)."""
    report = Report.objects.filter(case_link__case=case, pk=report_id).first()
    if report is None:
        raise Http404
    return report


def can_record_consent(user: User, case: Case) -> bool:
    """The hotline's operators, and the case's coordinators (the owner organisation and
    the units below it), record a consent given after the report."""
    if not role_has_perm(user.role, Perm.CASE_VIEW):
        return False
    if role_has_perm(user.role, Perm.REPORT_HOTLINE_ENTRY):
        return True
    if case.owner_id is None or user.organisation_id is None:
        return False
    return user.organisation_id in org_descendant_ids({case.owner_id})


def get_report_for_consent(user: User, case: Case, report_id: int) -> Report:
    """A report of a visible case, for a user who records consents on it; else 404."""
    if not can_record_consent(user, case):
        raise Http404
    return get_report_for_user(user, case, report_id)


def get_evidence_file_for_user(user: User, case: Case, file_id: int) -> EvidenceFile:
    """An evidence file of a report on a visible case, for roles holding ``evidence.view``."""
    file = (
        EvidenceFile.objects.filter(report__case_link__case=case, pk=file_id)
        .select_related("report", "blob")
        .first()
    )
    if file is None or not role_has_perm(user.role, Perm.EVIDENCE_VIEW):
        raise Http404
    return file


def get_consent_for_user(user: User, case: Case, consent_id: int) -> ConsentRecord:
    """A consent record of a report on a visible case."""
    consent = (
        ConsentRecord.objects.filter(report__case_link__case=case, pk=consent_id)
        .select_related("report")
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def pois_for_user(user: User) -> QuerySet[PersonOfInterest]:
    if not role_has_perm(user.role, Perm.POI_VIEW):
        return PersonOfInterest.objects.none()
    return PersonOfInterest.objects.filter(organisation_id__in=own_org_ids(user))


def get_poi_for_user(user: User, poi_id: int) -> PersonOfInterest:
    person = pois_for_user(user).select_related("organisation", "created_by").filter(pk=poi_id)
    found = person.first()
    if found is None:
        raise Http404
    return found


def poi_matches_for_user(user: User, case: Case) -> QuerySet[PoiMatch] | None:
    """The case's matches the user may see, or ``None`` for roles that must not know
    persons of interest exist (the page then renders exactly as without a match)."""
    if not role_has_perm(user.role, Perm.POI_VIEW):
        return None
    return PoiMatch.objects.filter(case=case, person__in=pois_for_user(user)).select_related(
        "person", "identifier", "report"
    )


def can_see_counselling(user: User, task: AgencyTask) -> bool:
    """The facility that received the task (or a unit below it) and the case's owner."""
    if user.organisation_id is None:
        return False
    holders = {task.organisation_id}
    if task.case.owner_id is not None:
        holders.add(task.case.owner_id)
    return user.organisation_id in org_descendant_ids(holders)


def counselling_tasks_for_user(user: User, case: Case) -> list[AgencyTask]:
    """The case's counselling tasks taken up by a facility whose records the user sees."""
    tasks = (
        AgencyTask.objects.filter(
            case=case,
            function="counselling",
            status__in=(AgencyTaskStatus.ACCEPTED, AgencyTaskStatus.DONE),
        )
        .select_related("case", "organisation")
        .prefetch_related("counselling_sessions__recorded_by")
    )
    return [task for task in tasks if can_see_counselling(user, task)]
