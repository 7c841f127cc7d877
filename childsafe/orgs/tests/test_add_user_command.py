import pytest
from django.core.management import CommandError, call_command

from childsafe.audit.models import AuditEvent
from childsafe.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def typed(monkeypatch):
    answers = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def test_it_creates_an_administrator(typed):
    typed.extend(["a-long-enough-passphrase-42"] * 2)
    call_command("add_user", "admin1", role="system_admin")
    user = User.objects.get(username="admin1")
    assert user.role == "system_admin"
    assert user.check_password("a-long-enough-passphrase-42")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_it_attaches_the_organisation(orgs, typed):
    call_command("add_user", "officer1", role="ict_officer", org=orgs.ict.code, no_password=True)
    user = User.objects.get(username="officer1")
    assert user.organisation == orgs.ict
    assert not user.has_usable_password()


def test_unknown_organisation_is_refused(typed):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("add_user", "x", role="ict_officer", org="nope", no_password=True)
    assert not User.objects.exists()


def test_duplicate_username_is_refused(orgs, typed):
    call_command("add_user", "dup", role="auditor", no_password=True)
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_user", "dup", role="auditor", no_password=True)


def test_mismatched_passwords_are_refused(typed):
    typed.extend(["a-long-enough-passphrase-42", "something-else-entirely-9"])
    with pytest.raises(CommandError, match="differ"):
        call_command("add_user", "admin2", role="system_admin")
    assert not User.objects.exists()


def test_weak_password_is_refused(typed):
    typed.extend(["12345678", "12345678"])
    with pytest.raises(CommandError):
        call_command("add_user", "admin3", role="system_admin")
    assert not User.objects.exists()
