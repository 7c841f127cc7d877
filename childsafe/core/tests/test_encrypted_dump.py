"""A child's name stored in an encrypted field appears in no dump of the database."""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection

from childsafe.orgs.models import FocalPoint, User

NAME = "Nguyễn Thị Bé Na"
PHONE = "0912-345-678"


def forms_of(text: str) -> list[bytes]:
    """The ways ``text`` could show up in a dump: UTF-8 (NFC and NFD), JSON escapes."""
    escaped = json.dumps(text)[1:-1]
    return [
        text.encode("utf-8"),
        unicodedata.normalize("NFD", text).encode("utf-8"),
        escaped.encode("ascii"),
        text.encode("utf-16-le"),
    ]


def assert_hidden(dump: bytes, where: str) -> None:
    for secret in (NAME, PHONE):
        for form in forms_of(secret):
            assert form not in dump, f"{secret!r} appears in {where}"


@pytest.fixture
def stored(orgs, personas):
    fp = FocalPoint.objects.create(
        organisation=orgs.school, full_name=NAME, phone=PHONE, email="be.na@example.vn"
    )
    User.objects.filter(pk=personas["social_worker"].pk).update(phone=PHONE)
    return fp


@pytest.mark.django_db(transaction=True)
def test_the_name_is_stored_and_readable(stored):
    assert FocalPoint.objects.get(pk=stored.pk).full_name == NAME
    assert User.objects.get(username="social").phone == PHONE


@pytest.mark.django_db(transaction=True)
def test_dumpdata_holds_no_plaintext(stored):
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert '"model": "orgs.focalpoint"' in dump
    assert_hidden(dump.encode("utf-8"), "dumpdata")


@pytest.mark.django_db(transaction=True)
def test_dumpdata_loads_back_to_the_same_plaintext(stored, tmp_path):
    fixture = tmp_path / "focal.json"
    call_command("dumpdata", "orgs.focalpoint", output=str(fixture))
    FocalPoint.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    fp = FocalPoint.objects.get(pk=stored.pk)
    assert (fp.full_name, fp.phone, fp.email) == (NAME, PHONE, "be.na@example.vn")


@pytest.mark.django_db(transaction=True)
def test_no_table_row_holds_plaintext(stored):
    tables = connection.introspection.table_names()
    assert "orgs_focalpoint" in tables
    rows = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                rows += 1
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    data = value if isinstance(value, bytes) else str(value).encode("utf-8")
                    assert_hidden(data, f"table {table}")
    assert rows > 20


@pytest.mark.django_db(transaction=True)
def test_the_sqlite_file_holds_no_plaintext(stored, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite keeps the database in one file")
    # Tests run on an in-memory database: copy it to a file the way SQLite writes it.
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    data = copy.read_bytes()
    assert b"orgs_focalpoint" in data
    assert_hidden(data, "the SQLite file")
    name = connection.settings_dict["NAME"]
    if not connection.is_in_memory_db():
        for suffix in ("", "-wal", "-journal"):
            path = f"{name}{suffix}"
            try:
                with open(path, "rb") as f:
                    assert_hidden(f.read(), path)
            except FileNotFoundError:
                pass
