"""Fixtures of the takedown tests: two ICT officers (four eyes), two providers with
their contacts, scopes and tokens, and orders in the states the tests start from.

The persona provider (``orgs.provider``, VNPT) answers for ``hostvn.vn`` and
``14.160.0.0/16``; a second provider (Viettel) for ``socialnet.com``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from childsafe.orgs.models import Organisation, OrgKind, User
from childsafe.orgs.roles import Role
from childsafe.orgs.services import api_token_create
from childsafe.takedown import services
from childsafe.takedown.models import ProviderScope, TakedownOrder
from childsafe.testing import START, Orgs, make_user


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """Services' messages are matched in English here; pages pick their own language
    from the URL, so page tests still see Vietnamese at / and English at /en/."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer(personas: dict[str, User]) -> User:
    """The ICT officer who drafts; the province coordinator supervises them."""
    user = personas["ict_officer"]
    user.email = "ict@stttt.example.vn"
    user.full_name = "Nguyễn Văn Soạn"
    user.save(update_fields=["email", "full_name"])
    supervisor = personas["province_coordinator"]
    supervisor.email = "coordinator@ubnd.example.vn"
    supervisor.save(update_fields=["email"])
    return user


@pytest.fixture
def officer2(orgs: Orgs) -> User:
    """A second ICT officer of the same department: the one who approves."""
    return make_user(
        "ict2", Role.ICT_OFFICER, orgs.ict, email="ict2@stttt.example.vn", full_name="Trần Duyệt"
    )


@pytest.fixture
def contact(orgs: Orgs, personas: dict[str, User]) -> User:
    orgs.provider.email = "abuse@vnpt.example.vn"
    orgs.provider.save(update_fields=["email"])
    user = personas["provider_contact"]
    user.email = "contact@vnpt.example.vn"
    user.save(update_fields=["email"])
    ProviderScope.objects.create(provider=orgs.provider, kind="domain", value="hostvn.vn")
    ProviderScope.objects.create(provider=orgs.provider, kind="network", value="14.160.0.0/16")
    return user


@pytest.fixture
def other_provider(db: None) -> Organisation:
    provider = Organisation.objects.create(
        code="viettel-qn",
        name="Viettel Quảng Nam",
        kind=OrgKind.SERVICE_PROVIDER,
        provider_kind="isp",
        effective_from=START,
        email="abuse@viettel.example.vn",
    )
    ProviderScope.objects.create(provider=provider, kind="domain", value="socialnet.com")
    return provider


@pytest.fixture
def other_contact(other_provider: Organisation) -> User:
    return make_user(
        "viettel", Role.PROVIDER_CONTACT, other_provider, email="contact@viettel.example.vn"
    )


@pytest.fixture
def token_of() -> Callable[[User], dict[str, str]]:
    """Headers with a fresh API token of ``user``."""

    def headers(user: User) -> dict[str, str]:
        _token, raw = api_token_create(user, name="test", actor=user)
        return {"Authorization": f"Bearer {raw}"}

    return headers


@pytest.fixture
def draft(officer: User, contact: User) -> Callable[..., TakedownOrder]:
    """Draft an order as ``officer`` (a removal of one page at hostvn.vn by default)."""

    def make(**kwargs: Any) -> TakedownOrder:
        fields: dict[str, Any] = {
            "actor": officer,
            "targets": ["https://hostvn.vn/bad/page"],
            "action": "remove",
            "reason": "csam",
            "legal_basis": "Nghị định 147/2024/NĐ-CP",
        }
        fields.update(kwargs)
        return services.order_draft(**fields)

    return make


@pytest.fixture
def issue(
    officer2: User, django_capture_on_commit_callbacks: Any
) -> Callable[[TakedownOrder], TakedownOrder]:
    """Approve an order as ``officer2``, running the on-commit e-mails."""

    def approve(order: TakedownOrder) -> TakedownOrder:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_approve(order, actor=officer2)
        order.refresh_from_db()
        return order

    return approve


@pytest.fixture
def issued(draft: Callable[..., TakedownOrder], issue: Any) -> TakedownOrder:
    """An issued removal order to the persona provider."""
    return issue(draft())
