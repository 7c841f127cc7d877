"""/filter/school/query-log/ (a school IT admin's periods) and /filter/query-log/ (every
school's, for the education officer)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import QueryLogPeriod
from childsafe.blocklist.policy import services
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.testing import START, make_user

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hồ Chí Minh City
REASON = "Suspected use of a VPN in the computer room"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin(personas):
    return personas["school_it_admin"]


@pytest.fixture
def admin_client(admin, staff_client):
    return staff_client(admin)


@pytest.fixture
def other_admin(orgs):
    school = Organisation.objects.create(
        code="thcs-tran-phu",
        name="Trường THCS Trần Phú",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
        school_level="lower_secondary",
    )
    return make_user("otherit", Role.SCHOOL_IT_ADMIN, school)


def period_of(orgs, admin, **options):
    values = {"ends_at": NOW + dt.timedelta(days=1), "reason": REASON, **options}
    return services.query_log_enable(orgs.school, actor=admin, **values)


def form(start="", end="2026-12-01T09:00", reason=REASON):
    return {"starts_at": start, "ends_at": end, "reason": reason}


def test_the_page_shows_the_periods_and_the_form(admin_client, orgs, admin):
    period_of(orgs, admin)
    response = admin_client.get("/en/filter/school/query-log/")
    assert response.status_code == 200
    page = response.content.decode()
    assert REASON in page
    assert "Logging" in page
    assert "do not name pupils" in page
    assert f"/en/filter/school/query-log/{QueryLogPeriod.objects.get().pk}/end/" in page


def test_it_enables_a_period(admin_client, orgs, admin):
    response = admin_client.post("/en/filter/school/query-log/enable/", form())
    assert response.status_code == 302
    assert response["Location"] == "/en/filter/school/query-log/"
    period = QueryLogPeriod.objects.get()
    assert (period.school, period.enabled_by, period.reason) == (orgs.school, admin, REASON)
    assert period.starts_at == NOW
    assert period.ends_at == dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # local 09:00
    assert AuditEvent.objects.filter(action="filter.query_log_enable").count() == 1


def test_a_missing_reason_is_a_form_error(admin_client):
    response = admin_client.post("/en/filter/school/query-log/enable/", form(reason=""))
    assert response.status_code == 400
    assert not QueryLogPeriod.objects.exists()


def test_more_than_7_days_is_refused_with_a_clear_message(admin_client):
    response = admin_client.post(
        "/en/filter/school/query-log/enable/", form(end="2026-12-08T09:01")
    )
    assert response.status_code == 400
    assert "A period lasts at most 7 days." in response.content.decode()
    assert not QueryLogPeriod.objects.exists()


def test_a_start_in_the_past_is_refused_with_a_clear_message(admin_client):
    response = admin_client.post(
        "/en/filter/school/query-log/enable/", form(start="2026-11-29T09:00")
    )
    assert response.status_code == 400
    assert "The period cannot start in the past." in response.content.decode()


def test_an_overlapping_period_is_refused(admin_client, orgs, admin):
    period_of(orgs, admin)
    response = admin_client.post(
        "/en/filter/school/query-log/enable/",
        form(start="2026-12-01T08:00", end="2026-12-02T08:00"),
    )
    assert response.status_code == 409
    assert "overlaps another" in response.content.decode()
    assert QueryLogPeriod.objects.count() == 1


def test_the_admin_ends_a_period_early(admin_client, orgs, admin):
    period = period_of(orgs, admin)
    response = admin_client.post(f"/en/filter/school/query-log/{period.pk}/end/")
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.ended_early_at, period.ended_early_by) == (NOW, admin)
    response = admin_client.post(f"/en/filter/school/query-log/{period.pk}/end/", follow=True)
    assert "This period is already over." in response.content.decode()
    assert AuditEvent.objects.filter(action="filter.query_log_end").count() == 1


def test_another_schools_admin_gets_404(staff_client, other_admin, orgs, admin):
    period = period_of(orgs, admin)
    client = staff_client(other_admin)
    assert client.post(f"/en/filter/school/query-log/{period.pk}/end/").status_code == 404
    page = client.get("/en/filter/school/query-log/").content.decode()
    assert REASON not in page
    period.refresh_from_db()
    assert period.ended_early_at is None


def test_wrong_methods(admin_client, orgs, admin):
    period = period_of(orgs, admin)
    assert admin_client.get("/en/filter/school/query-log/enable/").status_code == 405
    assert admin_client.get(f"/en/filter/school/query-log/{period.pk}/end/").status_code == 405
    assert admin_client.post("/en/filter/school/query-log/").status_code == 405


def test_logged_out_goes_to_login(client):
    response = client.get("/en/filter/school/query-log/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_education_officer_sees_every_period_and_ends_one(
    staff_client, personas, orgs, admin, other_admin
):
    period = period_of(orgs, admin)
    services.query_log_enable(
        other_admin.organisation,
        actor=other_admin,
        ends_at=NOW + dt.timedelta(days=2),
        reason="Another reason",
    )
    client = staff_client(personas["education_officer"])
    page = client.get("/en/filter/query-log/").content.decode()
    assert REASON in page and "Another reason" in page
    assert "Trường THCS Trần Phú" in page
    response = client.post(f"/en/filter/query-log/{period.pk}/end/")
    assert response.status_code == 302
    assert response["Location"] == "/en/filter/query-log/"
    period.refresh_from_db()
    assert period.ended_early_by == personas["education_officer"]
    assert client.post("/en/filter/query-log/999999/end/").status_code == 404


def test_the_coordinator_sees_but_cannot_end(staff_client, personas, orgs, admin):
    period = period_of(orgs, admin)
    client = staff_client(personas["province_coordinator"])
    page = client.get("/en/filter/query-log/").content.decode()
    assert REASON in page
    assert f"/en/filter/query-log/{period.pk}/end/" not in page
    assert client.post(f"/en/filter/query-log/{period.pk}/end/").status_code == 403


def test_the_school_admin_cannot_see_every_school(admin_client):
    assert admin_client.get("/en/filter/query-log/").status_code == 403
