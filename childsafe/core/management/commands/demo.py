"""``childsafe demo``: the Quảng Nam 2022 set-up, the 2025 reform, and one user per role.

Demo mode only (``CHILDSAFE_DEMO``). It loads the administrative units, the
agencies that directive 2126/UBND-KGVX (8 April 2022) gives duties to, who held
each function when, the 1 July 2025 reform (Quảng Nam merged into Đà Nẵng city,
departments merged, districts abolished) as succession records, a few
focal points with made-up names, and one user per role with a fresh random
password, printed at the end.

It also loads the school filter's demo (``blocklist/demo.py``: province rules, small
lists of ``.example`` names, the demo school's networks and three days of made-up
counts from its box). It then submits a few made-up reports through ``report_submit`` (web page,
hotline and API; one PNG of a single colour as evidence; two reports of the same
URL, so that they share a case), records one person of interest whose account
handle one report names, and runs triage until no report waits, so that the
triage queue shows cases with agency tasks and clocks. Every address is on an
``.example`` domain and nothing names a real person.

Running it again is safe: rows are matched on their code (organisations),
username (users) or natural key, and successions already recorded are left
alone; demo reports carry the idempotency scope ``demo`` and are submitted
once; only the passwords change.

Simplifications, since this is demo data: every 2025 change is dated 1 July
2025 (in reality the departments merged on earlier dates), district police end
on 28 February 2025, the agencies of the directive hang under the people's
committee that issued it, and schools stay under the 2022 education
department.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from childsafe.audit.services import audit_record
from childsafe.blocklist.demo import demo_filter_load
from childsafe.cases.models import Case, OffenderIdentifier, PoiSource
from childsafe.cases.poi import match_digest, normalise_identifier
from childsafe.cases.services import case_triage_next, poi_create, poi_identifier_add
from childsafe.orgs.models import (
    AdminUnit,
    FocalPoint,
    Function,
    FunctionAssignment,
    Organisation,
    OrgKind,
    OrgSuccession,
    ProviderKind,
    SchoolLevel,
    SuccessionKind,
    UnitEra,
    UnitLevel,
    User,
)
from childsafe.orgs.roles import Role
from childsafe.orgs.services import org_succeed
from childsafe.orgs.units import (
    DA_NANG,
    LAST_PRE_REFORM_DAY,
    REFORM_DAY,
    units_load_current,
    units_load_quang_nam_2022,
)
from childsafe.reports.models import Category, Channel, Report
from childsafe.reports.services import report_submit

ACTOR = "demo"
START = dt.date(2022, 1, 1)
DIRECTIVE = "Công văn 2126/UBND-KGVX ngày 08/4/2022 của UBND tỉnh Quảng Nam"
REFORM = "Sắp xếp bộ máy và đơn vị hành chính từ 01/7/2025 (dữ liệu minh hoạ)"
PROVINCE_MERGER = "Nghị quyết 202/2025/QH15 (sắp xếp đơn vị hành chính cấp tỉnh)"
POLICE_REFORM_DAY = dt.date(2025, 3, 1)
POLICE_REFORM = "Công an địa phương không tổ chức cấp huyện từ 01/3/2025 (dữ liệu minh hoạ)"

# Units are named by (era, code); "49" is Quảng Nam before the reform, "48" Đà Nẵng after.
QN = (UnitEra.PRE_2025, "49")
DN = (UnitEra.FROM_2025, "48")


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    name_en: str
    kind: str
    parent: str | None = None
    unit: tuple[str, str] | None = None
    school_level: str = ""
    provider_kind: str = ""


D, P, M, PR = OrgKind.DEPARTMENT, OrgKind.POLICE, OrgKind.MASS_ORGANISATION, OrgKind.PRESS

ORGS_2022 = [
    OrgSpec("ubnd-qn", "UBND tỉnh Quảng Nam", "Quảng Nam Provincial People's Committee",
            OrgKind.PEOPLES_COMMITTEE, None, QN),
    OrgSpec("stttt-qn", "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
            "Quảng Nam Department of Information and Communications", D, "ubnd-qn", QN),
    OrgSpec("sldtbxh-qn", "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam",
            "Quảng Nam Department of Labour, Invalids and Social Affairs", D, "ubnd-qn", QN),
    OrgSpec("sgddt-qn", "Sở Giáo dục và Đào tạo tỉnh Quảng Nam",
            "Quảng Nam Department of Education and Training", D, "ubnd-qn", QN),
    OrgSpec("ca-qn", "Công an tỉnh Quảng Nam", "Quảng Nam Provincial Police", P, "ubnd-qn", QN),
    OrgSpec("ca-qn-anm", "Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao",
            "Cyber Security and High-Tech Crime Prevention Division (Quảng Nam police)", P,
            "ca-qn", QN),
    OrgSpec("ca-tam-ky", "Công an thành phố Tam Kỳ", "Tam Kỳ City Police", P, "ca-qn",
            (UnitEra.PRE_2025, "502")),
    OrgSpec("ca-nui-thanh", "Công an huyện Núi Thành", "Núi Thành District Police", P, "ca-qn",
            (UnitEra.PRE_2025, "517")),
    OrgSpec("vksnd-qn", "Viện kiểm sát nhân dân tỉnh Quảng Nam",
            "Quảng Nam Provincial People's Procuracy", OrgKind.PROCURACY, "ubnd-qn", QN),
    OrgSpec("tand-qn", "Tòa án nhân dân tỉnh Quảng Nam", "Quảng Nam Provincial People's Court",
            OrgKind.COURT, "ubnd-qn", QN),
    OrgSpec("mttq-qn", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Nam",
            "Quảng Nam Vietnam Fatherland Front Committee", M, "ubnd-qn", QN),
    OrgSpec("tinh-doan-qn", "Tỉnh đoàn Quảng Nam", "Quảng Nam Youth Union", M, "ubnd-qn", QN),
    OrgSpec("hlhpn-qn", "Hội Liên hiệp Phụ nữ tỉnh Quảng Nam", "Quảng Nam Women's Union", M,
            "ubnd-qn", QN),
    OrgSpec("bao-qn", "Báo Quảng Nam", "Quảng Nam Newspaper", PR, "ubnd-qn", QN),
    OrgSpec("ptth-qn", "Đài Phát thanh - Truyền hình Quảng Nam",
            "Quảng Nam Radio and Television", PR, "ubnd-qn", QN),
    OrgSpec("ubnd-tam-ky", "UBND thành phố Tam Kỳ", "Tam Kỳ City People's Committee",
            OrgKind.DISTRICT_COMMITTEE, "ubnd-qn", (UnitEra.PRE_2025, "502")),
    OrgSpec("ubnd-dien-ban", "UBND thị xã Điện Bàn", "Điện Bàn Town People's Committee",
            OrgKind.DISTRICT_COMMITTEE, "ubnd-qn", (UnitEra.PRE_2025, "507")),
    OrgSpec("ubnd-nui-thanh", "UBND huyện Núi Thành", "Núi Thành District People's Committee",
            OrgKind.DISTRICT_COMMITTEE, "ubnd-qn", (UnitEra.PRE_2025, "517")),
    OrgSpec("th-kim-dong-tk", "Trường Tiểu học Kim Đồng", "Kim Đồng Primary School (Tam Kỳ)",
            OrgKind.SCHOOL, "sgddt-qn", (UnitEra.PRE_2025, "20341"),
            school_level=SchoolLevel.PRIMARY),
    OrgSpec("thcs-nguyen-du-db", "Trường THCS Nguyễn Du",
            "Nguyễn Du Lower Secondary School (Điện Bàn)", OrgKind.SCHOOL, "sgddt-qn",
            (UnitEra.PRE_2025, "20551"), school_level=SchoolLevel.LOWER_SECONDARY),
    OrgSpec("thpt-nui-thanh", "Trường THPT Núi Thành", "Núi Thành Upper Secondary School",
            OrgKind.SCHOOL, "sgddt-qn", (UnitEra.PRE_2025, "20965"),
            school_level=SchoolLevel.UPPER_SECONDARY),
    OrgSpec("ttctxh-qn", "Trung tâm Công tác xã hội tỉnh Quảng Nam",
            "Quảng Nam Social Work Centre", OrgKind.SOCIAL_SUPPORT_FACILITY, "sldtbxh-qn", QN),
    OrgSpec("vnpt-qn", "VNPT Quảng Nam", "VNPT Quảng Nam", OrgKind.SERVICE_PROVIDER, None, QN,
            provider_kind=ProviderKind.ISP),
    OrgSpec("viettel-qn", "Viettel Quảng Nam", "Viettel Quảng Nam", OrgKind.SERVICE_PROVIDER,
            None, QN, provider_kind=ProviderKind.ISP),
    OrgSpec("demo-hosting", "Công ty TNHH Lưu trữ Miền Trung (demo)",
            "Central Hosting Co. Ltd (demo)", OrgKind.SERVICE_PROVIDER,
            provider_kind=ProviderKind.HOSTING),
    OrgSpec("demo-platform", "Mạng xã hội Sông Thu (demo)", "Sông Thu social network (demo)",
            OrgKind.SERVICE_PROVIDER, provider_kind=ProviderKind.PLATFORM),
]  # fmt: skip

ORGS_2025 = [
    OrgSpec("ubnd-dn", "UBND thành phố Đà Nẵng", "Đà Nẵng City People's Committee",
            OrgKind.PEOPLES_COMMITTEE, None, DN),
    OrgSpec("skhcn-dn", "Sở Khoa học và Công nghệ thành phố Đà Nẵng",
            "Đà Nẵng Department of Science and Technology", D, "ubnd-dn", DN),
    OrgSpec("syt-dn", "Sở Y tế thành phố Đà Nẵng", "Đà Nẵng Department of Health", D,
            "ubnd-dn", DN),
    OrgSpec("snv-dn", "Sở Nội vụ thành phố Đà Nẵng", "Đà Nẵng Department of Home Affairs", D,
            "ubnd-dn", DN),
    OrgSpec("sgddt-dn", "Sở Giáo dục và Đào tạo thành phố Đà Nẵng",
            "Đà Nẵng Department of Education and Training", D, "ubnd-dn", DN),
    OrgSpec("svhtt-dn", "Sở Văn hóa và Thể thao thành phố Đà Nẵng",
            "Đà Nẵng Department of Culture and Sports", D, "ubnd-dn", DN),
    OrgSpec("ca-dn", "Công an thành phố Đà Nẵng", "Đà Nẵng City Police", P, "ubnd-dn", DN),
    OrgSpec("ca-dn-anm", "Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao",
            "Cyber Security and High-Tech Crime Prevention Division (Đà Nẵng police)", P,
            "ca-dn", DN),
    OrgSpec("vksnd-dn", "Viện kiểm sát nhân dân thành phố Đà Nẵng",
            "Đà Nẵng City People's Procuracy", OrgKind.PROCURACY, "ubnd-dn", DN),
    OrgSpec("tand-dn", "Tòa án nhân dân thành phố Đà Nẵng", "Đà Nẵng City People's Court",
            OrgKind.COURT, "ubnd-dn", DN),
    OrgSpec("mttq-dn", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Đà Nẵng",
            "Đà Nẵng Vietnam Fatherland Front Committee", M, "ubnd-dn", DN),
    OrgSpec("thanh-doan-dn", "Thành đoàn Đà Nẵng", "Đà Nẵng Youth Union", M, "mttq-dn", DN),
    OrgSpec("hlhpn-dn", "Hội Liên hiệp Phụ nữ thành phố Đà Nẵng", "Đà Nẵng Women's Union", M,
            "mttq-dn", DN),
    OrgSpec("bao-ptth-dn", "Báo và Phát thanh, Truyền hình Đà Nẵng",
            "Đà Nẵng Newspaper, Radio and Television", PR, "ubnd-dn", DN),
    OrgSpec("ttctxh-dn", "Trung tâm Công tác xã hội thành phố Đà Nẵng",
            "Đà Nẵng Social Work Centre", OrgKind.SOCIAL_SUPPORT_FACILITY, "syt-dn", DN),
]  # fmt: skip

# District committee code -> pre-2025 district code; each splits into the
# committees of the 2025 communes and wards its communes went to.
DISTRICT_COMMITTEES = {"ubnd-tam-ky": "502", "ubnd-dien-ban": "507", "ubnd-nui-thanh": "517"}
# Pre-2025 commune committees: (commune code, district committee code).
COMMUNE_COMMITTEES_2022 = [
    ("20341", "ubnd-tam-ky"),  # Phường An Mỹ
    ("20551", "ubnd-dien-ban"),  # Phường Vĩnh Điện
    ("20992", "ubnd-nui-thanh"),  # Xã Tam Hải
]

MERGE, SPLIT = SuccessionKind.MERGE, SuccessionKind.SPLIT
# (predecessors, successors, kind, effective on, legal basis), in date order.
SUCCESSIONS = [
    (["ca-tam-ky", "ca-nui-thanh"], ["ca-qn"], MERGE, POLICE_REFORM_DAY, POLICE_REFORM),
    (["ubnd-qn"], ["ubnd-dn"], MERGE, REFORM_DAY, PROVINCE_MERGER),
    (["stttt-qn"], ["skhcn-dn"], MERGE, REFORM_DAY, REFORM),
    (["sldtbxh-qn"], ["syt-dn", "snv-dn"], SPLIT, REFORM_DAY, REFORM),
    (["sgddt-qn"], ["sgddt-dn"], MERGE, REFORM_DAY, REFORM),
    (["ca-qn"], ["ca-dn"], MERGE, REFORM_DAY, REFORM),
    (["ca-qn-anm"], ["ca-dn-anm"], MERGE, REFORM_DAY, REFORM),
    (["vksnd-qn"], ["vksnd-dn"], MERGE, REFORM_DAY, REFORM),
    (["tand-qn"], ["tand-dn"], MERGE, REFORM_DAY, REFORM),
    (["mttq-qn"], ["mttq-dn"], MERGE, REFORM_DAY, REFORM),
    (["tinh-doan-qn"], ["thanh-doan-dn"], MERGE, REFORM_DAY, REFORM),
    (["hlhpn-qn"], ["hlhpn-dn"], MERGE, REFORM_DAY, REFORM),
    (["bao-qn", "ptth-qn"], ["bao-ptth-dn"], MERGE, REFORM_DAY, REFORM),
    (["ttctxh-qn"], ["ttctxh-dn"], MERGE, REFORM_DAY, REFORM),
]

F = Function
UNTIL_REFORM = LAST_PRE_REFORM_DAY
UNTIL_POLICE_REFORM = POLICE_REFORM_DAY - dt.timedelta(days=1)
# (function, holder, territory (era, code) or None for the whole province, from, to, basis)
ASSIGNMENTS = [
    (F.TAKEDOWN, "stttt-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.PRESS, "stttt-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.INSPECTION, "stttt-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.CHILD_PROTECTION, "sldtbxh-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.TRAINING, "sldtbxh-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.COUNSELLING, "ttctxh-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.SCHOOL_FILTERING, "sgddt-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.CRIME_REPORTS, "ca-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.CRIME_REPORTS, "ca-tam-ky", (UnitEra.PRE_2025, "502"), START, UNTIL_POLICE_REFORM,
     DIRECTIVE),
    (F.CRIME_REPORTS, "ca-nui-thanh", (UnitEra.PRE_2025, "517"), START, UNTIL_POLICE_REFORM,
     DIRECTIVE),
    (F.PROSECUTION, "vksnd-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.ADJUDICATION, "tand-qn", None, START, UNTIL_REFORM, DIRECTIVE),
    (F.TAKEDOWN, "skhcn-dn", None, REFORM_DAY, None, REFORM),
    (F.INSPECTION, "skhcn-dn", None, REFORM_DAY, None, REFORM),
    (F.PRESS, "svhtt-dn", None, REFORM_DAY, None, REFORM),
    (F.CHILD_PROTECTION, "syt-dn", None, REFORM_DAY, None, REFORM),
    (F.TRAINING, "syt-dn", None, REFORM_DAY, None, REFORM),
    (F.COUNSELLING, "ttctxh-dn", None, REFORM_DAY, None, REFORM),
    (F.SCHOOL_FILTERING, "sgddt-dn", None, REFORM_DAY, None, REFORM),
    (F.CRIME_REPORTS, "ca-dn", None, REFORM_DAY, None, REFORM),
    (F.PROSECUTION, "vksnd-dn", None, REFORM_DAY, None, REFORM),
    (F.ADJUDICATION, "tand-dn", None, REFORM_DAY, None, REFORM),
]  # fmt: skip

# (organisation, full name, title, phone, e-mail, since, until): made-up people.
FOCAL_POINTS = [
    ("stttt-qn", "Nguyễn Văn Demo", "Chuyên viên phòng Bưu chính - Viễn thông (demo)",
     "0900 000 001", "demo.stttt@example.org", dt.date(2022, 4, 20), UNTIL_REFORM),
    ("sldtbxh-qn", "Trần Thị Minh Họa", "Phó trưởng phòng Bảo vệ, chăm sóc trẻ em (demo)",
     "0900 000 002", "demo.sldtbxh@example.org", dt.date(2022, 4, 20), UNTIL_REFORM),
    ("sgddt-qn", "Lê Văn Thử", "Chuyên viên phòng Chính trị tư tưởng (demo)", "0900 000 003",
     "demo.sgddt@example.org", dt.date(2022, 4, 20), UNTIL_REFORM),
    ("ca-qn-anm", "Phạm Văn Mẫu", "Cán bộ đầu mối (demo)", "0900 000 004",
     "demo.anm@example.org", dt.date(2022, 4, 20), UNTIL_REFORM),
    ("skhcn-dn", "Võ Thị Ví Dụ", "Chuyên viên phòng Bưu chính, Viễn thông (demo)",
     "0900 000 005", "demo.skhcn@example.org", REFORM_DAY, None),
    ("syt-dn", "Hoàng Văn Giả", "Chuyên viên phòng Bảo trợ xã hội và Trẻ em (demo)",
     "0900 000 006", "demo.syt@example.org", REFORM_DAY, None),
]  # fmt: skip

# One user per role, in today's (2025) organisations; the username is the role.
USERS = [
    (Role.HOTLINE_OPERATOR, "syt-dn"),
    (Role.ICT_OFFICER, "skhcn-dn"),
    (Role.POLICE_INVESTIGATOR, "ca-dn-anm"),
    (Role.SOCIAL_WORKER, "ttctxh-dn"),
    (Role.EDUCATION_OFFICER, "sgddt-dn"),
    (Role.SCHOOL_IT_ADMIN, "thcs-nguyen-du-db"),
    (Role.PROVIDER_CONTACT, "vnpt-qn"),
    (Role.PROVINCE_COORDINATOR, "ubnd-dn"),
    (Role.AUDITOR, "ubnd-dn"),
    (Role.SYSTEM_ADMIN, "ubnd-dn"),
]
# Extra accounts: (username, role, organisation code). A second ICT officer approves the
# first one's takedown orders (four eyes).
EXTRA_USERS = [("ict_officer_2", Role.ICT_OFFICER, "skhcn-dn")]

# Providers' scopes, so that orders address themselves from a URL (all made up).
DEMO_SCOPES = [
    ("demo-platform", "mangxahoi.example"),
    ("demo-platform", "tinnhan.example"),
    ("demo-hosting", "video.example"),
    ("demo-hosting", "diendan.example"),
]
DEMO_BLOCKED_DOMAIN = "thu-thach-nguy-hiem.example"


# Demo reports: (idempotency key, channel, category, URLs, description, child in danger,
# with the PNG). Made up; every address is on an ``.example`` domain (RFC 2606).
DEMO_SCOPE = "demo"
DUPLICATE_URL = "https://mangxahoi.example/bai-viet/demo-bat-nat-01"
POI_HANDLE = "@demo_nguoi_la_01"
DEMO_REPORTS = [
    ("demo-web-1", Channel.WEB, Category.CYBERBULLYING, [DUPLICATE_URL],
     "Báo cáo minh hoạ (demo): một bài đăng chế giễu học sinh, bình luận xúc phạm.",
     False, True),
    ("demo-hotline-1", Channel.HOTLINE, Category.CYBERBULLYING, [DUPLICATE_URL],
     "Báo cáo minh hoạ (demo) qua đường dây nóng: cùng bài đăng, phụ huynh gọi đến.",
     False, False),
    ("demo-web-2", Channel.WEB, Category.GROOMING,
     ["https://tinnhan.example/hoi-thoai/demo-42"],
     f"Báo cáo minh hoạ (demo): tài khoản {POI_HANDLE} nhắn tin làm quen, xin ảnh riêng tư.",
     True, False),
    ("demo-api-1", Channel.API, Category.HARMFUL_CONTENT,
     ["https://video.example/xem/demo-thu-thach-nguy-hiem"],
     "Báo cáo minh hoạ (demo) từ nền tảng: video thử thách nguy hiểm.", False, False),
    ("demo-api-2", Channel.API, Category.PRIVACY_EXPOSURE,
     ["https://diendan.example/chu-de/demo-lo-thong-tin"],
     "Báo cáo minh hoạ (demo) từ nền tảng: bài viết đăng thông tin cá nhân của một em nhỏ.",
     False, False),
]  # fmt: skip
DEMO_POI_LABEL = "Đối tượng minh hoạ (demo)"


def _demo_png() -> SimpleUploadedFile:
    """A small PNG of one plain colour: evidence that shows nothing."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 200, 220)).save(buffer, format="PNG")
    return SimpleUploadedFile("demo-anh-chup.png", buffer.getvalue(), content_type="image/png")


def demo_cases_load() -> dict[str, int]:
    """Submit the demo reports not yet there, record the demo person of interest, triage.

    Answers how many reports were submitted and cases opened by this run.
    """
    hotline = User.objects.get(username=Role.HOTLINE_OPERATOR)
    police = User.objects.get(username=Role.POLICE_INVESTIGATOR)
    # The label is encrypted, so the person is found by the digest of its handle.
    poi_digest = match_digest("handle", normalise_identifier("handle", POI_HANDLE))
    if not OffenderIdentifier.objects.filter(digest=poi_digest).exists():
        person = poi_create(
            label=DEMO_POI_LABEL,
            notes="Dữ liệu minh hoạ, không phải người thật.",
            source=PoiSource.EARLIER_CASE,
            legal_basis="Minh hoạ (demo)",
            actor=police,
        )
        poi_identifier_add(person, kind="handle", value=POI_HANDLE, actor=police)
    cases_before = Case.objects.count()
    submitted = 0
    for key, channel, category, urls, description, in_danger, with_png in DEMO_REPORTS:
        if Report.objects.filter(idempotency_scope=DEMO_SCOPE, idempotency_key=key).exists():
            continue
        data: dict[str, Any] = {
            "category": category,
            "urls": urls,
            "description": description,
            "child_in_danger": in_danger,
            "platform": "Demo",
        }
        if channel in (Channel.WEB, Channel.HOTLINE):
            data["consent_given"] = True
        if channel == Channel.HOTLINE:
            data["parent_consent_given"] = True
        # Any: SimpleUploadedFile's read-only ``size`` does not fit the Upload protocol.
        files: list[Any] = [_demo_png()] if with_png else []
        report_submit(
            channel=channel,
            data=data,
            files=files,
            actor=hotline if channel == Channel.HOTLINE else None,
            idempotency_scope=DEMO_SCOPE,
            idempotency_key=key,
        )
        submitted += 1
    while case_triage_next() is not None:
        pass
    return {"reports": submitted, "cases": Case.objects.count() - cases_before}


def demo_takedown_load() -> dict[str, int]:
    """Register the demo providers' scopes and, once, two orders: a removal order drafted
    from the cyberbullying case and awaiting a second officer, and a blocking order
    issued to VNPT, whose domain is then on the authority list."""
    from childsafe.takedown.models import ProviderScope, TakedownOrder
    from childsafe.takedown.services import order_approve, order_draft, provider_scope_add

    drafter = User.objects.get(username=Role.ICT_OFFICER)
    approver = User.objects.get(username="ict_officer_2")
    scopes = 0
    for org_code, domain in DEMO_SCOPES:
        if not ProviderScope.objects.filter(kind="domain", value=domain).exists():
            provider = Organisation.objects.get(code=org_code)
            provider_scope_add(provider, kind="domain", value=domain, actor=drafter)
            scopes += 1
    if TakedownOrder.objects.filter(created_by=drafter).exists():
        return {"provider_scopes": scopes, "takedown_orders": 0}
    case = Case.objects.filter(case_reports__report__urls__normalised=DUPLICATE_URL).first()
    order_draft(
        actor=drafter,
        targets=[DUPLICATE_URL],
        action="remove",
        reason=Category.CYBERBULLYING,
        legal_basis="Nghị định 147/2024/NĐ-CP (minh hoạ)",
        instructions="Gỡ bài đăng chế giễu học sinh (dữ liệu minh hoạ).",
        case=case,
    )
    blocking = order_draft(
        actor=drafter,
        targets=[DEMO_BLOCKED_DOMAIN],
        action="block",
        reason=Category.HARMFUL_CONTENT,
        legal_basis="Nghị định 147/2024/NĐ-CP (minh hoạ)",
        instructions="Chặn truy cập tên miền của thử thách nguy hiểm (dữ liệu minh hoạ).",
        provider=Organisation.objects.get(code="vnpt-qn"),
    )
    order_approve(blocking, actor=approver)
    return {"provider_scopes": scopes, "takedown_orders": 2}


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str
    password: str


@dataclass
class DemoResult:
    accounts: list[DemoAccount] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _committee_name(unit: AdminUnit) -> str:
    """``UBND phường Tam Kỳ`` for the unit ``Phường Tam Kỳ``."""
    return f"UBND {unit.name[:1].lower()}{unit.name[1:]}"


class _Loader:
    def __init__(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        self.units: dict[tuple[str, str], AdminUnit] = {
            (u.era, u.code): u for u in AdminUnit.objects.all()
        }

    def org(
        self,
        code: str,
        name: str,
        kind: str,
        *,
        effective_from: dt.date,
        name_en: str = "",
        parent: str | None = None,
        unit: AdminUnit | None = None,
        school_level: str = "",
        provider_kind: str = "",
    ) -> Organisation:
        # effective_to is left out on purpose: org_succeed sets it, a re-run keeps it.
        obj, _created = Organisation.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "kind": kind,
                "parent": self.orgs[parent] if parent else None,
                "admin_unit": unit,
                "school_level": school_level,
                "provider_kind": provider_kind,
                "effective_from": effective_from,
            },
        )
        self.orgs[code] = obj
        return obj

    def org_from_spec(self, spec: OrgSpec, effective_from: dt.date) -> Organisation:
        return self.org(
            spec.code,
            spec.name,
            spec.kind,
            effective_from=effective_from,
            name_en=spec.name_en,
            parent=spec.parent,
            unit=self.units[spec.unit] if spec.unit else None,
            school_level=spec.school_level,
            provider_kind=spec.provider_kind,
        )

    def succeed(
        self, predecessors: list[str], successors: list[str], kind: str, on: dt.date, basis: str
    ) -> None:
        preds = [self.orgs[c] for c in predecessors]
        if OrgSuccession.objects.filter(predecessor__in=preds).exists():
            return  # recorded by an earlier run
        org_succeed(
            preds,
            [self.orgs[c] for c in successors],
            on=on,
            kind=kind,
            legal_basis=basis,
            actor=ACTOR,
        )
        for org in preds:
            org.refresh_from_db(fields=["effective_to"])

    def assign(
        self,
        function: str,
        holder: str,
        territory: AdminUnit | None,
        start: dt.date,
        end: dt.date | None,
        basis: str,
    ) -> None:
        FunctionAssignment.objects.update_or_create(
            function=function,
            organisation=self.orgs[holder],
            territory=territory,
            effective_from=start,
            defaults={"effective_to": end, "legal_basis": basis},
        )

    def run(self) -> DemoResult:
        for spec in ORGS_2022:
            self.org_from_spec(spec, START)
        for spec in ORGS_2025:
            self.org_from_spec(spec, REFORM_DAY)

        # District and commune committees, before and after the reform.
        new_commune_committees: dict[str, list[str]] = {}
        for committee, district_code in DISTRICT_COMMITTEES.items():
            district = self.units[(UnitEra.PRE_2025, district_code)]
            successor_units = sorted(
                {
                    c.successor
                    for c in district.children.select_related("successor")
                    if c.successor and c.successor.level == UnitLevel.COMMUNE
                },
                key=lambda u: u.code,
            )
            codes = []
            for unit in successor_units:
                code = f"ubnd-dn-{unit.code}"
                self.org(
                    code,
                    _committee_name(unit),
                    OrgKind.COMMUNE_COMMITTEE,
                    effective_from=REFORM_DAY,
                    parent="ubnd-dn",
                    unit=unit,
                )
                codes.append(code)
                self.assign(F.TRAINING, code, unit, REFORM_DAY, None, REFORM)
            new_commune_committees[committee] = codes
            self.assign(F.TRAINING, committee, district, START, UNTIL_REFORM, DIRECTIVE)
        old_commune_committees = []
        for commune_code, district_committee in COMMUNE_COMMITTEES_2022:
            unit = self.units[(UnitEra.PRE_2025, commune_code)]
            code = f"ubnd-qn-{commune_code}"
            self.org(
                code,
                _committee_name(unit),
                OrgKind.COMMUNE_COMMITTEE,
                effective_from=START,
                parent=district_committee,
                unit=unit,
            )
            successor = unit.successor
            if successor is None or successor.level != UnitLevel.COMMUNE:
                raise CommandError(f"commune {commune_code} has no 2025 commune as successor")
            old_commune_committees.append((code, f"ubnd-dn-{successor.code}"))

        for preds, succs, kind, on, basis in SUCCESSIONS:
            self.succeed(preds, succs, kind, on, basis)
        for committee, codes in new_commune_committees.items():
            self.succeed([committee], codes, SPLIT, REFORM_DAY, REFORM)
        for old, new in old_commune_committees:
            self.succeed([old], [new], MERGE, REFORM_DAY, REFORM)

        for function, holder, territory, start, end, basis in ASSIGNMENTS:
            self.assign(
                function, holder, self.units[territory] if territory else None, start, end, basis
            )

        for org_code, full_name, title, phone, email, since, until in FOCAL_POINTS:
            FocalPoint.objects.update_or_create(
                organisation=self.orgs[org_code],
                title=title,
                defaults={
                    "full_name": full_name,
                    "phone": phone,
                    "email": email,
                    "since": since,
                    "until": until,
                },
            )

        result = DemoResult()
        with translation.override(settings.LANGUAGE_CODE):
            for role, org_code in USERS:
                result.accounts.append(self.user(role, self.orgs[org_code]))
            for username, role, org_code in EXTRA_USERS:
                result.accounts.append(self.user(role, self.orgs[org_code], username=username))
        result.counts = {
            "organisations": len(self.orgs),
            "successions": OrgSuccession.objects.filter(
                predecessor__code__in=list(self.orgs)
            ).count(),
            "function_assignments": FunctionAssignment.objects.filter(
                organisation__code__in=list(self.orgs)
            ).count(),
            "focal_points": len(FOCAL_POINTS),
            "users": len(USERS) + len(EXTRA_USERS),
        }
        return result

    def user(self, role: str, organisation: Organisation, username: str = "") -> DemoAccount:
        username = username or str(role)
        password = secrets.token_urlsafe(12)
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "organisation": organisation,
                "full_name": f"Demo: {Role(role).label}",
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return DemoAccount(username, str(Role(role).label), organisation.name, password)


def demo_load() -> DemoResult:
    """Load the demo set-up; one ``demo.load`` audit event records the counts."""
    with transaction.atomic():
        units = units_load_current(DA_NANG)
        legacy_units = units_load_quang_nam_2022()
        result = _Loader().run()
        result.counts["units"] = units.total + legacy_units.total
        demo = demo_cases_load()
        result.counts["demo_reports_submitted"] = demo["reports"]
        result.counts["cases_opened"] = demo["cases"]
        result.counts.update(demo_takedown_load())
        result.counts.update(demo_filter_load())
        audit_record("demo.load", actor=ACTOR, detail={"counts": result.counts})
    return result


class Command(BaseCommand):
    help = (
        "Load demo data (the Quảng Nam 2022 set-up, the 2025 reform, one user per role, "
        "a few made-up reports triaged into cases) "
        "and print the demo accounts' new passwords. Only when CHILDSAFE_DEMO is true."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CHILDSAFE_DEMO:
            raise CommandError("childsafe demo runs only in demo mode (CHILDSAFE_DEMO=true)")
        result = demo_load()
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items())
        self.stdout.write(f"Demo data loaded: {counts}.")
        rows = [("username", "role", "organisation", "password")] + [
            (a.username, a.role, a.organisation, a.password) for a in result.accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            "Staff roles enrol an authenticator app (TOTP) at their first login. "
            "Passwords change each time this command runs."
        )
