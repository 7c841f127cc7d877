from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.audit.services import audit_record

UTC = dt.UTC


@pytest.fixture
def events(personas):
    """Events on three days; 1 March 20:00 UTC is already 2 March in Vietnam."""
    ict, police = personas["ict_officer"], personas["police_investigator"]
    for at, action, actor in [
        (dt.datetime(2025, 2, 28, 9, 0, tzinfo=UTC), "case.assign", ict),
        (dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC), "case.close", police),
        (dt.datetime(2025, 3, 1, 20, 0, tzinfo=UTC), "order.issue", ict),
    ]:
        with time_machine.travel(at, tick=False):
            audit_record(action, actor=actor)


@pytest.fixture
def auditor(personas, staff_client):
    return staff_client(personas["auditor"])


def shown(response):
    """The actions on the page, leaving out the logins and browsing of the test itself."""
    return [
        e.action for e in response.context["page"] if not e.action.startswith(("auth.", "audit."))
    ]


def test_it_lists_events_newest_first(events, auditor):
    response = auditor.get("/audit/")
    assert response.status_code == 200
    assert shown(response) == ["order.issue", "case.close", "case.assign"]
    assert "case.close" in response.content.decode()


def test_the_page_holds_every_event_including_its_own_browse_event(events, auditor):
    response = auditor.get("/audit/")
    on_page = [e.seq for e in response.context["page"]]
    assert on_page == list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
    assert response.context["page"][0].action == "audit.browse"
    assert response.context["page"].paginator.count == len(on_page)


def test_it_filters_by_action_prefix(events, auditor):
    assert shown(auditor.get("/audit/?action=case.")) == ["case.close", "case.assign"]


def test_it_filters_by_actor(events, auditor):
    assert shown(auditor.get("/audit/?actor=police")) == ["case.close"]


def test_it_filters_by_day_in_vietnam_time(events, auditor):
    assert shown(auditor.get("/audit/?since=02/03/2025")) == ["order.issue"]
    assert shown(auditor.get("/audit/?until=01/03/2025")) == ["case.close", "case.assign"]
    both = auditor.get("/audit/?since=01/03/2025&until=01/03/2025")
    assert shown(both) == ["case.close"]


def test_it_accepts_iso_dates(events, auditor):
    assert shown(auditor.get("/audit/?since=2025-03-02")) == ["order.issue"]


def test_a_bad_date_gets_400_and_a_message(events, auditor):
    response = auditor.get("/en/audit/?since=31/02/2025")
    assert response.status_code == 400
    assert response.context["errors"] == ["since"]
    assert "Dates must be written as dd/mm/yyyy." in response.content.decode()


def test_browsing_is_audited_with_the_filters(events, personas, auditor):
    auditor.get("/audit/?action=case.&actor=")
    event = AuditEvent.objects.get(action="audit.browse")
    assert event.actor == personas["auditor"]
    assert event.detail == {"filters": {"action": "case."}}


@pytest.mark.parametrize("role", ["province_coordinator", "system_admin", "ict_officer"])
def test_a_role_that_is_not_auditor_gets_403(personas, staff_client, role):
    assert staff_client(personas[role]).get("/audit/").status_code == 403
    assert not AuditEvent.objects.filter(action="audit.browse").exists()


def test_it_refuses_post(auditor):
    assert auditor.post("/audit/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/audit/")["Location"] == "/login/?next=/audit/"
