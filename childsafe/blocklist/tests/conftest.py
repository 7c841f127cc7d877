"""Fixtures of the blocklist tests: an ICT officer, entries made through the services,
feed tokens per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation

from childsafe.blocklist import services
from childsafe.blocklist.models import AuthorityEntry
from childsafe.orgs.models import User
from childsafe.orgs.services import api_token_create

RPZ_ORIGIN = "authority.rpz.childsafe"


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """Services' messages are matched in English; pages take their language from the
    URL (Vietnamese at /, English at /en/)."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer(personas: dict[str, User]) -> User:
    return personas["ict_officer"]


@pytest.fixture
def add(officer: User) -> Callable[..., AuthorityEntry]:
    """``add("bad.example")``: an entry added by hand by the ICT officer."""

    def make(value: str, **fields: Any) -> AuthorityEntry:
        values: dict[str, Any] = {
            "reason": "csam",
            "note": "",
            "review_on": in_days(30),
            "expires_at": None,
        }
        values.update(fields)
        return services.entry_add(actor=officer, value=value, **values)

    return make


@pytest.fixture
def token(personas: dict[str, User]) -> Callable[[str], str]:
    """``token("school_it_admin")``: a new raw API token of that role's persona."""

    def make(role: str) -> str:
        user = personas[role]
        _token, raw = api_token_create(user, name="feeds", actor=user)
        return raw

    return make


@pytest.fixture
def bearer(token: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role)}"}

    return make
