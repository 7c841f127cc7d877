"""GET /feeds/school/<id>/policy.json: tokens, scope, ETag and 304."""

from __future__ import annotations

import pytest

from childsafe.blocklist.policy import services
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.orgs.roles import Role
from childsafe.testing import START, make_user

pytestmark = pytest.mark.django_db


def url(school):
    return f"/feeds/school/{school.pk}/policy.json"


def test_the_school_it_admin_fetches_their_school_policy(orgs, client, bearer):
    response = client.get(url(orgs.school), headers=bearer("school_it_admin"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    doc = response.json()
    assert doc["format"] == "childsafe-policy/1"
    assert response["ETag"] == f'"{doc["version"]}"'
    assert response["Cache-Control"] == "no-cache"


def test_an_unchanged_policy_answers_304_and_a_change_200(orgs, personas, client, bearer):
    headers = bearer("ict_officer")
    etag = client.get(url(orgs.school), headers=headers)["ETag"]
    again = client.get(url(orgs.school), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    services.school_deny_add(orgs.school, actor=personas["school_it_admin"], domain="x.example")
    changed = client.get(url(orgs.school), headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_another_schools_it_admin_gets_404(orgs, client):
    other = Organisation.objects.create(
        code="th-other",
        name="Trường TH Khác",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
        school_level="primary",
    )
    admin = make_user("otherit", Role.SCHOOL_IT_ADMIN, other)
    from childsafe.orgs.services import api_token_create

    _token, raw = api_token_create(admin, name="feed", actor=admin)
    response = client.get(url(orgs.school), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404
    assert client.get(url(other), headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_a_non_school_or_missing_id_is_404(orgs, client, bearer):
    headers = bearer("ict_officer")
    assert client.get(url(orgs.ict), headers=headers).status_code == 404
    assert client.get("/feeds/school/999999/policy.json", headers=headers).status_code == 404


def test_roles_without_the_permission_are_refused(orgs, client, bearer):
    assert client.get(url(orgs.school), headers=bearer("provider_contact")).status_code == 403
    assert client.get(url(orgs.school)).status_code == 401


def test_the_token_may_come_in_the_query(orgs, client, token):
    response = client.get(url(orgs.school) + f"?token={token('school_it_admin')}")
    assert response.status_code == 200
