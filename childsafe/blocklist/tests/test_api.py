"""POST /api/v1/blocklist/entries and POST /api/v1/blocklist/entries/{id}/lift."""

from __future__ import annotations

import pytest

from childsafe.blocklist.models import AuthorityEntry
from childsafe.blocklist.tests.conftest import in_days
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains, zone_serial

pytestmark = pytest.mark.django_db

URL = "/api/v1/blocklist/entries"


def item(value: str, **fields):
    values = {"value": value, "reason": "csam", "review_on": in_days(30).isoformat()}
    values.update(fields)
    return values


def post(client, bearer, body, url=URL, role="ict_officer"):
    # Messages are matched in English (the API answers Vietnamese by default).
    headers = {**bearer(role), "Accept-Language": "en"}
    return client.post(url, body, content_type="application/json", headers=headers)


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


# --- Adding ------------------------------------------------------------------------------


def test_it_adds_a_batch_and_answers_ids_and_serial(client, bearer):
    response = post(
        client,
        bearer,
        {
            "entries": [
                item("bad.example", note="Decision 5"),
                item("Ví-Dụ.vn", reason="grooming", expires_at="2099-01-01T00:00:00+07:00"),
                item("https://social.example/u/1"),
            ]
        },
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    entries = [AuthorityEntry.objects.get(pk=pk) for pk in answer["ids"]]
    assert [e.value for e in entries] == [
        "bad.example",
        "xn--v-d-rma6749a.vn",
        "https://social.example/u/1",
    ]
    assert answer["serial"] == zone_serial(AUTHORITY_ZONE)
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example", "xn--v-d-rma6749a.vn"}
    assert entries[1].expires_at.isoformat() == "2098-12-31T17:00:00+00:00"


def test_bad_items_get_422_with_each_problem_and_nothing_is_saved(client, bearer, add):
    add("old.example")
    response = post(
        client,
        bearer,
        {
            "entries": [
                item("fine.example"),
                item("1.2.3.4"),
                item("*.com.vn"),
                item("*.vn"),
                item("http://10.1.2.3/x"),
                item("old.example"),
                item("fine.example"),
                item("not a domain"),
                item("next.example", review_on="2000-01-01"),
                item("other.example", reason="spam"),
            ]
        },
    )
    assert response.status_code == 422
    assert fields(response) == [
        "payload.entries.1.value",
        "payload.entries.2.value",
        "payload.entries.3.value",
        "payload.entries.4.value",
        "payload.entries.5.value",
        "payload.entries.6.value",
        "payload.entries.7.value",
        "payload.entries.8.review_on",
        "payload.entries.9.reason",
    ]
    assert all(e["message"] for e in response.json()["errors"])
    assert "public suffix" in response.json()["errors"][1]["message"]
    assert AuthorityEntry.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"entries": []},
        {"entries": [{"value": "a.example", "reason": "csam"}]},  # no review date
        {"entries": [item("a.example", colour="red")]},
        {"entries": [item("a.example", review_on="tomorrow")]},
        {"entries": [item("a.example")] * 10_001},
    ],
)
def test_malformed_bodies_get_422(client, bearer, body):
    response = post(client, bearer, body)
    assert response.status_code == 422
    assert AuthorityEntry.objects.count() == 0


def test_roles_without_blocklist_manage_get_403(client, bearer):
    for role in ("province_coordinator", "school_it_admin", "provider_contact"):
        assert post(client, bearer, {"entries": [item("a.example")]}, role=role).status_code == 403
    assert AuthorityEntry.objects.count() == 0


def test_no_token_gets_401(client, db):
    response = client.post(URL, {"entries": [item("a.example")]}, content_type="application/json")
    assert response.status_code == 401


def test_a_thousand_names_in_one_call(client, bearer):
    response = post(client, bearer, {"entries": [item(f"n{i}.example") for i in range(1000)]})
    assert response.status_code == 201
    assert len(response.json()["ids"]) == 1000
    assert len(zone_domains(AUTHORITY_ZONE)) == 1000


# --- Lifting -----------------------------------------------------------------------------


def test_it_lifts_an_entry(client, bearer, add):
    entry = add("bad.example")
    response = post(client, bearer, {"decision": "Court ruling 4"}, url=f"{URL}/{entry.pk}/lift")
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] == entry.pk and answer["serial"] == zone_serial(AUTHORITY_ZONE)
    entry.refresh_from_db()
    assert entry.lift_decision == "Court ruling 4"
    assert zone_domains(AUTHORITY_ZONE) == frozenset()


def test_lifting_twice_is_409(client, bearer, add):
    entry = add("bad.example")
    post(client, bearer, {"decision": "first"}, url=f"{URL}/{entry.pk}/lift")
    again = post(client, bearer, {"decision": "second"}, url=f"{URL}/{entry.pk}/lift")
    assert again.status_code == 409
    assert "no longer active" in again.json()["detail"]


def test_a_blank_decision_is_422(client, bearer, add):
    entry = add("bad.example")
    for body in ({}, {"decision": ""}, {"decision": "   "}):
        response = post(client, bearer, body, url=f"{URL}/{entry.pk}/lift")
        assert response.status_code == 422
        assert fields(response) == ["payload.decision"]
    entry.refresh_from_db()
    assert entry.is_active()


def test_lifting_a_missing_entry_is_404(client, bearer, db):
    assert post(client, bearer, {"decision": "x"}, url=f"{URL}/999999/lift").status_code == 404


def test_lifting_needs_blocklist_manage(client, bearer, add):
    entry = add("bad.example")
    url = f"{URL}/{entry.pk}/lift"
    assert (
        post(client, bearer, {"decision": "x"}, url=url, role="province_coordinator").status_code
        == 403
    )
