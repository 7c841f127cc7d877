"""GET/POST /blocklist/new/: an officer adds an entry by hand."""

from __future__ import annotations

import pytest

from childsafe.blocklist.models import AuthorityEntry
from childsafe.blocklist.tests.conftest import in_days
from childsafe.blocklist.zones import AUTHORITY_ZONE, zone_domains

pytestmark = pytest.mark.django_db

URL = "/blocklist/new/"
# The form's messages are matched in English, on the English page.
URL_EN = "/en/blocklist/new/"


def form(value: str, **fields):
    values = {
        "value": value,
        "reason": "csam",
        "note": "Decision 7/QĐ-STTTT",
        "review_on": in_days(60).isoformat(),
        "expires_at": "",
    }
    values.update(fields)
    return values


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["ict_officer"])


def test_it_shows_the_form(officer_client):
    response = officer_client.get(URL)
    assert response.status_code == 200
    assert b'name="review_on"' in response.content


def test_it_adds_an_entry_and_shows_it(officer_client):
    response = officer_client.post(URL, form("*.Bad.Example", expires_at="2099-05-01T10:30"))
    entry = AuthorityEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/blocklist/{entry.pk}/"
    assert (entry.value, entry.note, entry.review_on) == (
        "bad.example",
        "Decision 7/QĐ-STTTT",
        in_days(60),
    )
    assert entry.expires_at.isoformat() == "2099-05-01T03:30:00+00:00"
    assert zone_domains(AUTHORITY_ZONE) == {"bad.example"}
    page = officer_client.get(response["Location"])
    assert b"bad.example" in page.content


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.2.3.4", "IP address"),
        ("*.com.vn", "public suffix"),
        ("*.vn", "public suffix"),
        ("http://192.168.1.1/admin", "IP address"),
        ("not a domain", "not a domain name"),
        ("gopher://x.example/", "not a valid web address"),
    ],
)
def test_bad_values_are_refused_with_a_message(officer_client, value, message):
    response = officer_client.post(URL_EN, form(value))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["value"])
    assert AuthorityEntry.objects.count() == 0


def test_a_duplicate_is_refused_with_the_existing_entry(officer_client, add):
    existing = add("bad.example")
    response = officer_client.post(URL_EN, form("BAD.example"))
    assert response.status_code == 400
    assert f"entry no. {existing.pk}" in response.context["form"].errors["value"][0]
    assert AuthorityEntry.objects.count() == 1


def test_the_review_date_is_required_and_in_the_future(officer_client):
    missing = officer_client.post(URL_EN, form("bad.example", review_on=""))
    assert missing.status_code == 400 and "review_on" in missing.context["form"].errors
    past = officer_client.post(URL_EN, form("bad.example", review_on=in_days(-1).isoformat()))
    assert past.status_code == 400
    assert "in the future" in past.context["form"].errors["review_on"][0]
    assert AuthorityEntry.objects.count() == 0


def test_a_past_expiry_is_refused(officer_client):
    response = officer_client.post(URL, form("bad.example", expires_at="2001-01-01T00:00"))
    assert response.status_code == 400
    assert "expires_at" in response.context["form"].errors


def test_the_coordinator_may_not_add(personas, staff_client):
    client = staff_client(personas["province_coordinator"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, form("bad.example")).status_code == 403
    assert AuthorityEntry.objects.count() == 0


def test_put_is_refused(officer_client):
    assert officer_client.put(URL).status_code == 405


def test_logged_out_goes_to_login(client, db):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"
