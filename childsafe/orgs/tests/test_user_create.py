import pytest

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import User

URL = "/users/new/"


def _form(orgs, **overrides):
    data = {
        "username": "newofficer",
        "full_name": "Trần Văn Mới",
        "email": "moi@example.gov.vn",
        "role": "ict_officer",
        "organisation": orgs.ict.pk,
        "password": "a-long-enough-passphrase-42",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_it_creates_an_account_and_audits_it(personas, orgs, staff_client):
    client = staff_client(personas["system_admin"])
    response = client.post(URL, _form(orgs))
    user = User.objects.get(username="newofficer")
    assert response.status_code == 302
    assert response["Location"] == f"/users/{user.pk}/"
    assert user.check_password("a-long-enough-passphrase-42")
    assert user.organisation == orgs.ict
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(user.pk)
    assert "newofficer" not in str(event.detail)


@pytest.mark.django_db
def test_taken_username_is_a_form_error(personas, orgs, staff_client):
    client = staff_client(personas["system_admin"])
    response = client.post(URL, _form(orgs, username="ICT"))
    assert response.status_code == 400
    assert User.objects.filter(username__iexact="ict").count() == 1


@pytest.mark.django_db
def test_weak_password_is_refused(personas, orgs, staff_client):
    client = staff_client(personas["system_admin"])
    response = client.post(URL, _form(orgs, password="12345678"))
    assert response.status_code == 400
    assert not User.objects.filter(username="newofficer").exists()


@pytest.mark.django_db
def test_role_without_organisation_is_refused(personas, orgs, staff_client):
    client = staff_client(personas["system_admin"])
    response = client.post(URL, _form(orgs, organisation=""))
    assert response.status_code == 400
    assert not User.objects.filter(username="newofficer").exists()


@pytest.mark.django_db
def test_provider_contact_must_belong_to_a_provider(personas, orgs, staff_client):
    client = staff_client(personas["system_admin"])
    response = client.post(URL, _form(orgs, role="provider_contact", organisation=orgs.police.pk))
    assert response.status_code == 400
    ok = client.post(URL, _form(orgs, role="provider_contact", organisation=orgs.provider.pk))
    assert ok.status_code == 302


@pytest.mark.django_db
def test_coordinator_may_not_create_accounts(personas, orgs, staff_client):
    client = staff_client(personas["province_coordinator"])
    assert client.post(URL, _form(orgs)).status_code == 403
    assert not User.objects.filter(username="newofficer").exists()


@pytest.mark.django_db
def test_logged_out_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_wrong_method(personas, staff_client):
    assert staff_client(personas["system_admin"]).put(URL).status_code == 405
