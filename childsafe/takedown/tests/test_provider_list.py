"""GET /takedown/providers/: the service providers with their scopes, contacts, orders."""

from __future__ import annotations


def test_it_lists_providers_with_counts(issued, other_provider, officer, staff_client):
    response = staff_client(officer).get("/takedown/providers/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "VNPT Quảng Nam" in page and "Viettel Quảng Nam" in page
    assert f'href="/takedown/providers/{other_provider.pk}/"' in page


def test_the_coordinator_may_read_it(personas, staff_client):
    assert (
        staff_client(personas["province_coordinator"]).get("/takedown/providers/").status_code
        == 200
    )


def test_other_roles_get_403(personas, staff_client):
    for role in ("provider_contact", "police_investigator", "school_it_admin"):
        assert staff_client(personas[role]).get("/takedown/providers/").status_code == 403


def test_post_is_refused(officer, staff_client):
    assert staff_client(officer).post("/takedown/providers/").status_code == 405


def test_logged_out_goes_to_login(client):
    assert client.get("/takedown/providers/")["Location"] == "/login/?next=/takedown/providers/"
