"""Who sees which case and which parts of it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from childsafe.cases.access import (
    can_record_consent,
    case_tasks_for_user,
    cases_for_user,
    get_agency_task_for_user,
    get_case_for_user,
    notes_for_user,
    staff_user,
)
from childsafe.cases.models import AgencyTaskStatus, CaseTask
from childsafe.cases.services import note_add
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.models import Function
from childsafe.orgs.roles import Role
from childsafe.testing import make_user


def visible(user):
    return set(cases_for_user(user).values_list("pk", flat=True))


def test_the_coordinator_sees_every_case(police_case, shared_case, personas):
    assert visible(personas["province_coordinator"]) == {police_case.pk, shared_case.pk}


def test_the_owner_organisation_sees_its_cases(police_case, personas):
    assert police_case.pk in visible(personas["hotline_operator"])


def test_an_agency_sees_the_cases_it_has_a_task_on(police_case, shared_case, personas):
    assert visible(personas["police_investigator"]) == {police_case.pk, shared_case.pk}
    assert visible(personas["education_officer"]) == {shared_case.pk}
    assert visible(personas["social_worker"]) == {shared_case.pk}


def test_a_parent_unit_sees_the_cases_of_the_units_below(police_case, orgs):
    chief = make_user("chief", Role.POLICE_INVESTIGATOR, orgs.police)
    assert police_case.pk in visible(chief)


def test_a_unit_does_not_see_the_cases_of_its_parent(orgs, personas):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.police, Function.CRIME_REPORTS)])
    assert case.pk not in visible(personas["police_investigator"])  # district police


@pytest.mark.parametrize("status", [AgencyTaskStatus.REJECTED, AgencyTaskStatus.WITHDRAWN])
def test_a_rejected_or_withdrawn_task_shows_nothing(orgs, personas, status):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.ict, Function.TAKEDOWN, status)])
    assert case.pk not in visible(personas["ict_officer"])


@pytest.mark.parametrize("status", ["accepted", "done", "transferred"])
def test_other_task_statuses_keep_the_case_visible(orgs, personas, status):
    case = make_case(owner=orgs.dolisa, tasks=[(orgs.ict, Function.TAKEDOWN, status)])
    assert case.pk in visible(personas["ict_officer"])


@pytest.mark.parametrize(
    "role", ["school_it_admin", "provider_contact", "auditor", "system_admin"]
)
def test_roles_without_case_view_never_see_cases(orgs, personas, role):
    user = personas[role]
    make_case(owner=user.organisation, tasks=[(user.organisation, Function.TAKEDOWN)])
    assert visible(user) == set()


def test_a_case_out_of_scope_is_a_404(police_case, personas):
    with pytest.raises(Http404):
        get_case_for_user(personas["education_officer"], police_case.pk)
    with pytest.raises(Http404):
        get_case_for_user(personas["province_coordinator"], 999999)
    assert get_case_for_user(personas["police_investigator"], police_case.pk) == police_case


def test_only_the_receiving_organisation_acts_on_a_task(police_case, orgs, personas):
    task = police_case.agency_tasks.get()
    assert get_agency_task_for_user(personas["police_investigator"], police_case, task.pk) == task
    # The coordinator sees the case but does not act for the police.
    with pytest.raises(Http404):
        get_agency_task_for_user(personas["province_coordinator"], police_case, task.pk)
    with pytest.raises(Http404):
        get_agency_task_for_user(personas["hotline_operator"], police_case, task.pk)


def test_an_internal_note_stays_in_its_organisation_branch(shared_case, orgs, personas):
    secret = note_add(
        shared_case,
        text="internal",
        is_shared=False,
        actor=make_user("chief", Role.POLICE_INVESTIGATOR, orgs.police),
    )
    shared = note_add(shared_case, text="for all", is_shared=True, actor=personas["ict_officer"])
    # District police is below the author's organisation (provincial police).
    assert set(notes_for_user(personas["police_investigator"], shared_case)) == {secret, shared}
    for role in ("ict_officer", "education_officer", "province_coordinator", "hotline_operator"):
        assert set(notes_for_user(personas[role], shared_case)) == {shared}, role


def test_case_tasks_are_seen_by_their_organisation_and_assignee(shared_case, orgs, personas):
    ict = personas["ict_officer"]
    task = CaseTask.objects.create(
        case=shared_case, organisation=orgs.ict, title="Ask the platform", created_by=ict
    )
    assert list(case_tasks_for_user(ict, shared_case)) == [task]
    assert list(case_tasks_for_user(personas["police_investigator"], shared_case)) == []
    task.assignee = personas["province_coordinator"]
    task.save()
    assert list(case_tasks_for_user(personas["province_coordinator"], shared_case)) == [task]


def test_staff_user_is_the_logged_in_user(personas):
    request = RequestFactory().get("/")
    request.user = personas["hotline_operator"]
    assert staff_user(request) == personas["hotline_operator"]
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        staff_user(request)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("hotline_operator", True),  # the hotline, and here also the owner's staff
        ("police_investigator", False),  # works the case, does not coordinate it
        ("province_coordinator", False),  # sees every case, coordinates none
        ("auditor", False),
    ],
)
def test_who_records_a_consent_given_later(police_case, personas, persona, allowed):
    assert can_record_consent(personas[persona], police_case) is allowed


def test_the_owner_units_staff_record_consents_and_a_case_without_owner_has_none(
    police_case, orgs, personas
):
    social = make_user("dolisa-social", Role.SOCIAL_WORKER, orgs.dolisa)
    facility = personas["social_worker"]  # the facility is a unit below DOLISA
    assert can_record_consent(social, police_case)
    assert can_record_consent(facility, police_case)
    police_case.owner = None
    assert not can_record_consent(social, police_case)
