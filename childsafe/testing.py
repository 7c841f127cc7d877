"""Test personas and helpers, shared by every app's tests as pytest fixtures.

Two agencies (the ICT and education departments) under the province
committee, a police unit, a social support facility, a school and a service
provider, with one user per role. ``staff_client(user)`` gives a Django test
client logged in with two-factor verification already done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from childsafe.orgs.models import Function, FunctionAssignment, Organisation, OrgKind, User
from childsafe.orgs.roles import Role

PASSWORD = "correct-horse-battery-9"
START = dt.date(2022, 1, 1)


@dataclass
class Orgs:
    province: Organisation
    ict: Organisation
    education: Organisation
    dolisa: Organisation
    police: Organisation
    district_police: Organisation
    facility: Organisation
    school: Organisation
    provider: Organisation


def make_orgs() -> Orgs:
    def org(
        code: str, name: str, kind: str, parent: Organisation | None, **extra: str
    ) -> Organisation:
        return Organisation.objects.create(
            code=code, name=name, kind=kind, parent=parent, effective_from=START, **extra
        )

    province = org("ubnd-qn", "UBND tỉnh Quảng Nam", OrgKind.PEOPLES_COMMITTEE, None)
    ict = org("stttt-qn", "Sở Thông tin và Truyền thông", OrgKind.DEPARTMENT, province)
    education = org("sgddt-qn", "Sở Giáo dục và Đào tạo", OrgKind.DEPARTMENT, province)
    dolisa = org("sldtbxh-qn", "Sở Lao động - Thương binh và Xã hội", OrgKind.DEPARTMENT, province)
    police = org("ca-qn", "Công an tỉnh Quảng Nam", OrgKind.POLICE, province)
    district_police = org("ca-tk", "Công an thành phố Tam Kỳ", OrgKind.POLICE, police)
    facility = org(
        "ttctxh-qn", "Trung tâm Công tác xã hội", OrgKind.SOCIAL_SUPPORT_FACILITY, dolisa
    )
    school = org(
        "thcs-le-loi",
        "Trường THCS Lê Lợi",
        OrgKind.SCHOOL,
        education,
        school_level="lower_secondary",
    )
    provider = org(
        "vnpt-qn", "VNPT Quảng Nam", OrgKind.SERVICE_PROVIDER, None, provider_kind="isp"
    )
    for function, holder in [
        (Function.TAKEDOWN, ict),
        (Function.CRIME_REPORTS, police),
        (Function.CHILD_PROTECTION, dolisa),
        (Function.COUNSELLING, facility),
        (Function.SCHOOL_FILTERING, education),
        (Function.TRAINING, dolisa),
    ]:
        FunctionAssignment.objects.create(
            function=function, organisation=holder, effective_from=START
        )
    return Orgs(
        province, ict, education, dolisa, police, district_police, facility, school, provider
    )


def make_user(username: str, role: str, organisation: Organisation | None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        organisation=organisation,
        **extra,
    )
    if user.needs_two_factor:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def verified_client(user: User) -> Client:
    """A client logged in as ``user`` with two-factor verification done."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def orgs(db: None) -> Orgs:
    return make_orgs()


@pytest.fixture
def personas(orgs: Orgs) -> dict[str, User]:
    """One user per role; ``ict_officer`` and ``education_officer`` are the two agencies."""
    users = {
        "hotline_operator": make_user("hotline", Role.HOTLINE_OPERATOR, orgs.dolisa),
        "ict_officer": make_user("ict", Role.ICT_OFFICER, orgs.ict),
        "police_investigator": make_user("police", Role.POLICE_INVESTIGATOR, orgs.district_police),
        "social_worker": make_user("social", Role.SOCIAL_WORKER, orgs.facility),
        "education_officer": make_user("education", Role.EDUCATION_OFFICER, orgs.education),
        "school_it_admin": make_user("schoolit", Role.SCHOOL_IT_ADMIN, orgs.school),
        "provider_contact": make_user("provider", Role.PROVIDER_CONTACT, orgs.provider),
        "province_coordinator": make_user("coordinator", Role.PROVINCE_COORDINATOR, orgs.province),
        "auditor": make_user("auditor", Role.AUDITOR, orgs.province),
        "system_admin": make_user("sysadmin", Role.SYSTEM_ADMIN, orgs.province),
    }
    users["ict_officer"].supervisor = users["province_coordinator"]
    users["ict_officer"].save(update_fields=["supervisor"])
    return users


@pytest.fixture
def staff_client(db: None) -> Callable[[User], Client]:
    return verified_client


# --- Evidence files ------------------------------------------------------------------------


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A small, valid picture in ``image_format`` (PNG, JPEG, GIF, WEBP)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (29, 107, 87)).save(out, image_format)
    return out.getvalue()


def bomb_png() -> bytes:
    """A decompression bomb: 90 million pixels of one colour in an 11 KB PNG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (10000, 9000)).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PHP_BYTES = b"<?php system($_GET['c']); ?>\n"
