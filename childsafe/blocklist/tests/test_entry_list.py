"""GET /blocklist/: the authority list with its filters."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from childsafe.blocklist import services

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def listed(add, officer):
    with time_machine.travel(START, tick=False):
        active = add("bad.example")
        url = add("https://social.example/u/1")
        lifted = add("lifted.example")
        services.entry_lift(lifted, actor=officer, decision="mistake")
        expired = add("expired.example", expires_at=START + dt.timedelta(hours=1))
        idn = add("Ví-Dụ.vn")
    return {"active": active, "url": url, "lifted": lifted, "expired": expired, "idn": idn}


def values(response) -> set[str]:
    return {entry.value for entry in response.context["page"]}


@pytest.fixture
def page(personas, staff_client):
    def get(query: str = "", role: str = "ict_officer"):
        with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
            response = staff_client(personas[role]).get(f"/blocklist/{query}")
        assert response.status_code == 200
        return response

    return get


def test_it_lists_active_entries_by_default(listed, page):
    response = page()
    assert values(response) == {
        "bad.example",
        "https://social.example/u/1",
        "xn--v-d-rma6749a.vn",
    }
    assert b"/blocklist/new/" in response.content


def test_it_filters_by_status_kind_and_source(listed, page):
    assert values(page("?status=lifted")) == {"lifted.example"}
    assert values(page("?status=expired")) == {"expired.example"}
    assert len(values(page("?status=all"))) == 5
    assert values(page("?kind=url")) == {"https://social.example/u/1"}
    assert values(page("?source=order")) == set()


def test_it_searches_with_or_without_vietnamese_letters(listed, page):
    assert values(page("?q=social")) == {"https://social.example/u/1"}
    assert values(page("?q=Ví-Dụ")) == {"xn--v-d-rma6749a.vn"}
    assert values(page("?q=nothing-like-it")) == set()


def test_a_bad_filter_falls_back_to_the_active_entries(listed, page):
    assert len(values(page("?status=bogus&kind=zzz"))) == 3


def test_the_coordinator_sees_the_list_without_the_add_link(listed, page):
    response = page(role="province_coordinator")
    assert len(values(response)) == 3
    assert b"/blocklist/new/" not in response.content


def test_roles_without_blocklist_view_are_refused(personas, staff_client):
    for role in ("hotline_operator", "school_it_admin", "auditor"):
        assert staff_client(personas[role]).get("/blocklist/").status_code == 403


def test_post_is_refused(personas, staff_client):
    assert staff_client(personas["ict_officer"]).post("/blocklist/").status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get("/blocklist/")["Location"] == "/login/?next=/blocklist/"


def test_the_menu_links_to_the_list(personas, staff_client):
    home = staff_client(personas["province_coordinator"]).get("/dashboard/")
    assert b'href="/blocklist/"' in home.content
    other = staff_client(personas["hotline_operator"]).get("/dashboard/")
    assert b'href="/blocklist/"' not in other.content
