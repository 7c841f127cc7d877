"""/filter/lists/, POST /filter/lists/upload/ and POST /filter/lists/<id>/rollback/: the
category lists, imported and rolled back by the education officer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import CategoryList, CategoryListVersion
from childsafe.blocklist.policy import services

pytestmark = pytest.mark.django_db
UPLOAD = "/en/filter/lists/upload/"


def upload(client, content: bytes, **fields):
    data = {
        "file": SimpleUploadedFile("list.txt", content),
        "category": "adult",
        "name": "UT1 adult",
        "source": "https://x.example/ut1",
        "licence": "CC BY-SA 4.0",
        "file_format": "",
    }
    data.update(fields)
    return client.post(UPLOAD, data)


@pytest.fixture
def officer(personas):
    return personas["education_officer"]


@pytest.fixture
def officer_client(officer, staff_client):
    return staff_client(officer)


@pytest.fixture
def two_versions(officer):
    for text in ("a.example\n", "a.example\nb.example\n"):
        services.list_import(
            actor=officer,
            category="adult",
            name="UT1 adult",
            source="s",
            licence="l",
            text=text,
        )
    return CategoryList.objects.get()


def test_it_imports_an_uploaded_file(officer_client):
    response = upload(officer_client, b"# header\n0.0.0.0 a.example\n0.0.0.0 b.example\n")
    assert response.status_code == 302
    version = CategoryList.objects.get().active_version
    assert (version.entry_count, version.file_format) == (2, "hosts")
    assert AuditEvent.objects.filter(action="filter.list_import").exists()
    page = officer_client.get("/en/filter/lists/").content.decode()
    assert "UT1 adult" in page and "CC BY-SA 4.0" in page


def test_the_format_can_be_given(officer_client):
    response = upload(officer_client, b"a.example\n", file_format="plain")
    assert response.status_code == 302
    assert CategoryList.objects.get().active_version.file_format == "plain"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>\n<body>Not found</body>\n</html>\n", "none of the known formats"),
        (b"\x00\x01\x02binary", "This is not a text file."),
        (b"\xff\xfe bad", "The file is not UTF-8 text."),
    ],
)
def test_a_bad_file_is_refused_with_the_importers_message(officer_client, content, message):
    response = upload(officer_client, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CategoryList.objects.exists()
    assert not CategoryListVersion.objects.exists()


def test_missing_fields_are_form_errors(officer_client):
    response = upload(officer_client, b"a.example\n", licence="", category="nope")
    assert response.status_code == 400
    assert not CategoryList.objects.exists()


def test_a_name_in_another_category_is_refused(officer_client, two_versions):
    response = upload(officer_client, b"c.example\n", category="games")
    assert response.status_code == 400
    assert "exists in another category" in response.content.decode()
    assert CategoryListVersion.objects.count() == 2


def test_it_rolls_back_to_the_earlier_version(officer_client, two_versions):
    assert two_versions.active_version.entry_count == 2
    response = officer_client.post(f"/en/filter/lists/{two_versions.pk}/rollback/")
    assert response.status_code == 302
    two_versions.refresh_from_db()
    assert two_versions.active_version.entry_count == 1
    assert AuditEvent.objects.filter(action="filter.list_rollback").exists()
    again = officer_client.post(f"/en/filter/lists/{two_versions.pk}/rollback/")
    assert again.status_code == 409
    assert "no earlier version" in again.content.decode()


def test_the_coordinator_reads_only(personas, staff_client, two_versions):
    client = staff_client(personas["province_coordinator"])
    page = client.get("/en/filter/lists/")
    assert page.status_code == 200
    assert "UT1 adult" in page.content.decode()
    assert UPLOAD not in page.content.decode()
    assert upload(client, b"a.example\n", name="Other").status_code == 403
    assert client.post(f"/en/filter/lists/{two_versions.pk}/rollback/").status_code == 403


def test_wrong_methods_are_refused(officer_client, two_versions):
    assert officer_client.post("/en/filter/lists/").status_code == 405
    assert officer_client.get(UPLOAD).status_code == 405
    assert officer_client.get(f"/en/filter/lists/{two_versions.pk}/rollback/").status_code == 405


def test_a_missing_list_gets_404(officer_client):
    assert officer_client.post("/en/filter/lists/999999/rollback/").status_code == 404


def test_logged_out_goes_to_login(client, two_versions):
    assert client.get("/en/filter/lists/").status_code == 302
    assert upload(client, b"a.example\n", name="Other").status_code == 302
    assert client.post(f"/en/filter/lists/{two_versions.pk}/rollback/").status_code == 302
    assert CategoryList.objects.count() == 1


def test_other_roles_are_refused(personas, staff_client):
    for role in ("school_it_admin", "ict_officer"):
        client = staff_client(personas[role])
        assert client.get("/en/filter/lists/").status_code == 403
        assert upload(client, b"a.example\n").status_code == 403
    assert not CategoryList.objects.exists()
