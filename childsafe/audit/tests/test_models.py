from __future__ import annotations

import pytest

from childsafe.audit.models import AppendOnlyError, AuditEvent
from childsafe.audit.services import audit_record


@pytest.fixture
def event(db):
    return audit_record("test.event", actor="unit test", detail={"n": 1})


def test_saving_an_existing_event_raises(event):
    event.detail = {"n": 2}
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get().detail == {"n": 1}


def test_saving_a_reloaded_event_raises(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(pk=event.pk).save()


def test_deleting_an_event_raises(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_bulk_update_and_delete_raise(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "test.event"


def test_deleting_a_user_leaves_the_trail_intact(django_user_model):
    from childsafe.audit.services import audit_verify

    user = django_user_model.objects.create_user(username="gone", password="x")
    audit_record("test.event", actor=user)
    user.delete()
    assert audit_verify() == []
