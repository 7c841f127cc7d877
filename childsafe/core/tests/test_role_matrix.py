"""The role-by-endpoint matrix.

Every URL the resolver knows must carry an access label from
``childsafe.orgs.access`` (``public``, ``login_only``, ``staff_required(perm)``;
for the API, ``TokenAuth(perm)`` on every operation, or ``OptionalTokenAuth(perm)``
on the few declared in ``PUBLIC_API_OPERATIONS``). Then every role, and anonymous,
asks for every staff page and every API operation, and gets exactly what
``ROLE_PERMS`` grants: a new endpoint that nobody declared fails here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from ninja import NinjaAPI, Router
from ninja.operation import PathView

from childsafe.api import api
from childsafe.blocklist.feeds import feeds_api
from childsafe.blocklist.models import AuthorityEntry
from childsafe.cases.models import CaseTask, Clock, PersonOfInterest, RoutingRule
from childsafe.cases.tests.factories import make_case
from childsafe.orgs.access import (
    ACCESS_ATTR,
    OptionalTokenAuth,
    TokenAuth,
    login_only,
    public,
    staff_required,
)
from childsafe.orgs.models import FocalPoint, Function, User
from childsafe.orgs.roles import ROLE_PERMS, TWO_FACTOR_ROLES, Perm, Role
from childsafe.orgs.services import api_token_create
from childsafe.reports.models import ConsentRecord
from childsafe.reports.tests.conftest import add_evidence
from childsafe.takedown.models import OrderStatus, ProviderScope, TakedownOrder
from childsafe.testing import Orgs

# Pages anyone may open. A new public page is a decision: add it here on purpose.
PUBLIC_ROUTES = {
    "healthz",
    "i18n/setlang/",
    "",
    "login/",
    "logout/",
    "api/v1/",
    "api/v1/openapi.json",
    "api/v1/docs",
    "feeds/",  # django-ninja's root of the feeds API: it answers 404
    "bao-cao/",
    "bao-cao/tra-cuu/",
    "chan/",  # the block page; "chan/" once the Vietnamese catalogue translates it
}
# API operations anonymous callers may use too (``OptionalTokenAuth``): a token, if
# sent, must still be valid and hold the permission. Adding one is a decision too.
PUBLIC_API_OPERATIONS = {("POST", "api/v1/reports"), ("GET", "api/v1/reports/status")}
# Pages for a logged-in user who has not done two-factor login yet.
LOGIN_ROUTES = {"login/2fa/"}
# Staff pages that only accept POST: a permitted GET gets 405.
POST_ONLY_ROUTES = {
    "account/tokens/<int:token_id>/revoke/",
    "users/<int:user_id>/active/",
    "users/<int:user_id>/reset-2fa/",
    "cases/routing/<int:rule_id>/active/",
    "cases/<int:case_id>/triage/",
    "cases/<int:case_id>/route/",
    "cases/<int:case_id>/close/",
    "cases/<int:case_id>/tasks/<int:task_id>/accept/",
    "cases/<int:case_id>/tasks/<int:task_id>/reject/",
    "cases/<int:case_id>/tasks/<int:task_id>/transfer/",
    "cases/<int:case_id>/tasks/<int:task_id>/done/",
    "cases/<int:case_id>/notes/",
    "cases/<int:case_id>/todos/",
    "cases/<int:case_id>/todos/<int:case_task_id>/done/",
    "cases/<int:case_id>/decisions/",
    "cases/<int:case_id>/reports/<int:report_id>/reveal/",
    "cases/<int:case_id>/reports/<int:report_id>/consents/",
    "cases/<int:case_id>/consents/<int:consent_id>/withdraw/",
    "cases/<int:case_id>/evidence/<int:file_id>/unblur/",
    "cases/<int:case_id>/assessments/",
    "cases/<int:case_id>/hold/",
    "cases/queue/failed/<int:failure_id>/retry/",
    "cases/<int:case_id>/tasks/<int:task_id>/sessions/",
    "cases/<int:case_id>/tasks/<int:task_id>/outcome/",
    "cases/<int:case_id>/clocks/",
    "cases/<int:case_id>/clocks/<int:clock_id>/extend/",
    "cases/<int:case_id>/clocks/<int:clock_id>/suspend/",
    "cases/<int:case_id>/clocks/<int:clock_id>/resume/",
    "cases/<int:case_id>/clocks/<int:clock_id>/stop/",
    "takedown/orders/<int:order_id>/approve/",
    "takedown/orders/<int:order_id>/reject/",
    "takedown/orders/<int:order_id>/withdraw/",
    "takedown/providers/<int:provider_id>/scopes/",
    "takedown/providers/<int:provider_id>/scopes/<int:scope_id>/delete/",
    "provider/orders/<int:order_id>/ack/",
    "provider/orders/<int:order_id>/done/",
    "provider/orders/<int:order_id>/refuse/",
    "blocklist/<int:entry_id>/lift/",
    "filter/requests/<int:request_id>/decide/",
    "filter/school/networks/",
    "filter/school/entries/",
    "filter/school/networks/<int:network_id>/remove/",
    "filter/school/entries/<int:school_entry_id>/remove/",
    "filter/school/settings/",
    "filter/rules/set/",
    "filter/lists/upload/",
    "filter/lists/<int:list_id>/rollback/",
    "filter/school/query-log/enable/",
    "filter/school/query-log/<int:period_id>/end/",
    "filter/query-log/<int:period_id>/end/",
    "filter/school/rules/set/",
    "filter/school/rules/remove/",
    "filter/rules/schools/<int:school_id>/set/",
    "filter/rules/schools/<int:school_id>/remove/",
}
# API operations whose JSON body is required: a permitted caller sending none gets 422.
API_BODY_REQUIRED = {
    ("POST", "api/v1/provider/orders/<order_id>/refuse"),
    ("POST", "api/v1/blocklist/entries"),
    ("POST", "api/v1/blocklist/entries/<entry_id>/lift"),
    ("POST", "feeds/school/<school_id>/stats"),
}

# API operations that need a query parameter: a permitted caller without it gets 400.
API_QUERY_REQUIRED = {("GET", "feeds/school/<school_id>/policy.rpz")}

API_LABEL = "token"
ARG = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


# --- Walking the URL map -------------------------------------------------------------


def walk(patterns: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Every (route, pattern) below ``patterns``, i18n and API patterns included."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def ninja_path_view(callback: Callable[..., Any]) -> PathView | None:
    """The django-ninja path (one URL, one or more operations) behind a view, if any."""
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def token_perm(operation: Any) -> str | None:
    """The permission an API operation's ``TokenAuth`` or ``OptionalTokenAuth`` demands;
    ``None`` if unguarded."""
    auths = list(operation.auth_callbacks)
    if (
        len(auths) == 1
        and isinstance(auths[0], TokenAuth | OptionalTokenAuth)
        and auths[0].perm in Perm.values
    ):
        return auths[0].perm
    return None


def is_optional_token(operation: Any) -> bool:
    """Whether anonymous callers may use the operation (``OptionalTokenAuth``)."""
    return token_perm(operation) is not None and isinstance(
        operation.auth_callbacks[0], OptionalTokenAuth
    )


def access_label(callback: Callable[..., Any]) -> str | None:
    """``public``, ``login``, a ``Perm`` or ``token`` (API); ``None`` means unguarded."""
    label = getattr(callback, ACCESS_ATTR, None)
    if label is not None:
        return label if label in ("public", "login", *Perm.values) else None
    if isinstance(callback, functools.partial) and callback.func.__module__.startswith("ninja."):
        return "public"  # ninja's own pages: API root, OpenAPI document, docs
    path_view = ninja_path_view(callback)
    operations = path_view.operations if path_view is not None else []
    if operations and all(token_perm(op) for op in operations):
        return API_LABEL
    return None


def unguarded(patterns: Iterable[Any]) -> list[str]:
    """Routes whose view carries no access label."""
    return [route for route, p in walk(patterns) if access_label(p.callback) is None]


def api_operations(patterns: Iterable[Any]) -> list[tuple[str, str, str, bool]]:
    """(method, route, perm, anonymous allowed) of every API operation in the URL map."""
    found = []
    for route, pattern in walk(patterns):
        path_view = ninja_path_view(pattern.callback)
        if path_view is None:
            continue
        for operation in path_view.operations:
            for method in operation.methods:
                found.append(
                    (method, route, token_perm(operation) or "", is_optional_token(operation))
                )
    return sorted(found)


# --- The guard check proves itself on a made-up URL map --------------------------------


def _bare_view(request: Any) -> HttpResponse:
    return HttpResponse("no guard")


def _fake_patterns() -> list[Any]:
    fake_api = NinjaAPI(urls_namespace="fake-api")
    router = Router()

    @router.get("/open")
    def open_operation(request: Any) -> dict[str, str]:
        return {}

    @router.get("/closed", auth=TokenAuth(Perm.ORG_VIEW))
    def closed_operation(request: Any) -> dict[str, str]:
        return {}

    @router.get("/optional", auth=OptionalTokenAuth(Perm.ORG_VIEW))
    def optional_operation(request: Any) -> dict[str, str]:
        return {}

    @router.get("/optional-typo", auth=OptionalTokenAuth("org.veiw"))
    def optional_typo_operation(request: Any) -> dict[str, str]:
        return {}

    fake_api.add_router("/", router)
    return [
        path("bare/", _bare_view),
        path("public/", public(lambda request: HttpResponse())),
        path("login-only/", login_only(lambda request: HttpResponse())),
        path("staff/", staff_required(Perm.ORG_VIEW)(lambda request: HttpResponse())),
        path("typo/", staff_required("org.veiw")(lambda request: HttpResponse())),
        path("fake-api/", fake_api.urls),
    ]


def test_the_guard_check_finds_undecorated_views_and_open_api_operations():
    assert unguarded(_fake_patterns()) == [
        "bare/",
        "typo/",
        "fake-api/open",
        "fake-api/optional-typo",
    ]


def test_the_guard_check_accepts_ninja_own_pages_as_public():
    routes = dict(walk(_fake_patterns()))
    assert access_label(routes["fake-api/openapi.json"].callback) == "public"
    assert access_label(routes["fake-api/docs"].callback) == "public"
    assert access_label(routes["fake-api/closed"].callback) == API_LABEL
    assert access_label(routes["fake-api/optional"].callback) == API_LABEL
    operations = {(m, r): anonymous for m, r, _p, anonymous in api_operations(_fake_patterns())}
    assert operations[("GET", "fake-api/optional")] is True
    assert operations[("GET", "fake-api/closed")] is False


# --- The real URL map ------------------------------------------------------------------


def test_every_endpoint_is_guarded():
    assert unguarded(get_resolver().url_patterns) == []


def test_public_and_login_only_pages_are_the_declared_ones():
    labels = {route: access_label(p.callback) for route, p in walk(get_resolver().url_patterns)}
    assert {r for r, label in labels.items() if label == "public"} == PUBLIC_ROUTES
    assert {r for r, label in labels.items() if label == "login"} == LOGIN_ROUTES


def test_every_api_operation_demands_a_token_with_a_permission():
    from_routers = []
    routers = [router for one_api in (api, feeds_api) for _prefix, router in one_api._routers]
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                assert token_perm(operation) is not None, operation.view_func.__name__
                from_routers.extend((m, token_perm(operation)) for m in operation.methods)
    from_urls = [
        (m, perm) for m, _route, perm, _anon in api_operations(get_resolver().url_patterns)
    ]
    assert from_routers, "the API has no operations"
    assert sorted(from_routers) == sorted(from_urls)


def test_api_operations_open_to_anonymous_callers_are_the_declared_ones():
    operations = api_operations(get_resolver().url_patterns)
    assert {(m, r) for m, r, _perm, anonymous in operations if anonymous} == PUBLIC_API_OPERATIONS


def test_every_role_has_a_persona_and_a_permission_table(personas):
    assert {u.role for u in personas.values()} == set(Role.values)
    assert set(ROLE_PERMS) == set(Role.values)


# --- Every role against every endpoint -------------------------------------------------


def concrete_url(route: str, samples: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match["name"]
        assert name in samples, f"add a sample value for <{name}> in {route!r}"
        return str(samples[name])

    return "/" + ARG.sub(value, route)


def outcome(response: HttpResponse) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/login/?next="):
            return "login"
        if location == "/login/2fa/":
            return "2fa"
        return f"302 to {location}"
    return response.status_code


@pytest.fixture
def samples(orgs: Orgs, personas: dict[str, User]) -> dict[str, dict[str, Any]]:
    """Per role, URL argument values naming objects inside that role's own scope."""
    per_role: dict[str, dict[str, Any]] = {}
    # One case coordinated by DOLISA (the hotline) with a task for every receiving agency.
    case = make_case(
        owner=orgs.dolisa,
        tasks=[
            (orgs.ict, Function.TAKEDOWN),
            (orgs.district_police, Function.CRIME_REPORTS),
            (orgs.facility, Function.COUNSELLING),
            (orgs.education, Function.TRAINING),
        ],
    )
    tasks = {t.organisation_id: t.pk for t in case.agency_tasks.all()}
    rule = RoutingRule.objects.first()
    clock = Clock.objects.filter(case=case).first()  # the police task's crime-report clock
    police = next(u for u in personas.values() if u.role == Role.POLICE_INVESTIGATOR)
    # Recorded by the investigator's own unit: only the police may open it, everyone
    # else is refused for lacking ``poi.view`` (403), before any lookup.
    poi = PersonOfInterest.objects.create(
        label="Kẻ xấu",
        source="prior_conviction",
        legal_basis="to be confirmed",
        organisation=police.organisation,
        created_by=police,
    )
    report = case.case_reports.get().report
    evidence = add_evidence(report)
    consent = ConsentRecord.objects.create(report=report, given_by="parent", scope="process")
    ict = next(u for u in personas.values() if u.role == Role.ICT_OFFICER)
    # An issued order from the ICT department to the persona provider: the ICT officer
    # and the provider's contact may both open it.
    order = TakedownOrder.objects.create(
        reference="LG-2026-000001",
        issuer=orgs.ict,
        provider=orgs.provider,
        case=case,
        action="block",
        reason="csam",
        legal_basis="Decree 147/2024",
        deadline_hours=24,
        status=OrderStatus.ISSUED,
        created_by=ict,
    )
    target = order.targets.create(kind="domain", value="bad.example", host="bad.example")
    scope = ProviderScope.objects.create(provider=orgs.provider, kind="domain", value="vnpt.vn")
    entry = AuthorityEntry.objects.create(
        kind="domain", value="bad.example", host="bad.example", reason="csam", source="manual"
    )
    for user in personas.values():
        case_task = CaseTask.objects.create(
            case=case, organisation=user.organisation, title="Call back", created_by=user
        )
        fp = FocalPoint.objects.create(organisation=user.organisation, full_name="Trần Văn An")
        token, raw = api_token_create(user, name="matrix", actor=user)
        per_role[user.role] = {
            "org_id": user.organisation_id,
            "user_id": user.pk,
            "focal_point_id": fp.pk,
            "token_id": token.pk,
            "function": "takedown",
            "raw_token": raw,
            "case_id": case.pk,
            "task_id": tasks.get(user.organisation_id, next(iter(tasks.values()))),
            "case_task_id": case_task.pk,
            "rule_id": rule.pk,
            "clock_id": clock.pk,
            "poi_id": poi.pk,
            "failure_id": 999999,  # none exists: a permitted POST would 404, a GET 405
            "report_id": report.pk,
            "file_id": evidence.pk,
            "consent_id": consent.pk,
            "order_id": order.pk,
            "target_id": target.pk,
            "provider_id": orgs.provider.pk,
            "scope_id": scope.pk,
            "entry_id": entry.pk,
            "school_id": orgs.school.pk,
            "tier": "primary",
            "request_id": 999999,  # none exists: a permitted POST would 404, a GET 405
            "network_id": 999999,  # likewise
            "school_entry_id": 999999,
            "list_id": 999999,
            "period_id": 999999,  # none exists: a permitted POST would 404, a GET 405
        }
    return per_role


def staff_pages() -> list[tuple[str, str]]:
    return [
        (route, label)
        for route, p in walk(get_resolver().url_patterns)
        if (label := access_label(p.callback)) in Perm.values
    ]


def test_staff_pages_answer_each_role_as_its_permissions_say(personas, samples, staff_client):
    pages = staff_pages()
    assert len(pages) >= 9
    expected: dict[tuple[str, str], int | str] = {}
    actual: dict[tuple[str, str], int | str] = {}
    any_samples = next(iter(samples.values()))
    for route, perm in pages:
        url = concrete_url(route, any_samples)
        expected["anonymous", url] = "login"
        actual["anonymous", url] = outcome(Client().get(url))
    for user in personas.values():
        client = staff_client(user)
        for route, perm in pages:
            url = concrete_url(route, samples[user.role])
            if perm not in ROLE_PERMS[user.role]:
                expected[user.role, url] = 403
            else:
                expected[user.role, url] = 405 if route in POST_ONLY_ROUTES else 200
            actual[user.role, url] = outcome(client.get(url))
    assert actual == expected


def test_staff_pages_send_roles_with_two_factor_to_verify_first(personas, samples, client):
    pages = staff_pages()
    expected = {}
    actual = {}
    for user in personas.values():
        if user.role not in TWO_FACTOR_ROLES:
            continue
        client.force_login(user)  # password done, second factor not yet
        for route, _perm in pages:
            url = concrete_url(route, samples[user.role])
            expected[user.role, url] = "2fa"
            actual[user.role, url] = outcome(client.get(url))
    assert actual == expected


def api_outcome(response: HttpResponse, anonymous_allowed: bool) -> int | str:
    """The status, except that an open operation called without its arguments (a 4xx
    other than 401 and 403, such as 415 or 422) counts as "let in"."""
    code = response.status_code
    if anonymous_allowed and code not in (401, 403) and code < 500:
        return "let in"
    return code


def test_persons_of_interest_are_the_police_investigators_alone(personas):
    for perm in (Perm.POI_VIEW, Perm.POI_MANAGE):
        holders = {role for role, perms in ROLE_PERMS.items() if perm in perms}
        assert holders == {Role.POLICE_INVESTIGATOR}
    pages = {route for route, perm in staff_pages() if perm in (Perm.POI_VIEW, Perm.POI_MANAGE)}
    assert pages == {"poi/", "poi/<int:poi_id>/"}


def test_the_school_filter_figures_and_their_exports_share_one_permission():
    pages = {route: perm for route, perm in staff_pages() if route.startswith("filter/figures")}
    assert pages == {
        "filter/figures/": Perm.FILTER_POLICY_VIEW,
        "filter/figures/csv/": Perm.FILTER_POLICY_VIEW,
        "filter/figures.xlsx": Perm.FILTER_POLICY_VIEW,
    }


def test_non_police_roles_cannot_post_to_persons_of_interest(personas, samples, staff_client):
    for user in personas.values():
        if user.role == Role.POLICE_INVESTIGATOR:
            continue
        client = staff_client(user)
        poi_id = samples[user.role]["poi_id"]
        for url in ("/poi/", f"/poi/{poi_id}/"):
            response = client.post(url, {"label": "x", "kind": "phone", "value": "0905123456"})
            assert response.status_code == 403, (user.role, url)
    assert PersonOfInterest.objects.count() == 1
    assert not PersonOfInterest.objects.get().identifiers.exists()


def test_api_operations_answer_each_role_as_its_permissions_say(personas, samples, client):
    operations = api_operations(get_resolver().url_patterns)
    expected: dict[tuple[str, str, str], int | str] = {}
    actual: dict[tuple[str, str, str], int | str] = {}
    for method, route, perm, anonymous in operations:
        url = concrete_url(route, next(iter(samples.values())))
        response = client.generic(method, url)
        assert response["Content-Type"].startswith("application/json"), url
        assert "detail" in response.json()
        expected["no token", method, url] = "let in" if anonymous else 401
        actual["no token", method, url] = api_outcome(response, anonymous)
        bad_token = {"Authorization": "Bearer cs_not-a-real-token"}
        expected["invalid token", method, url] = 401
        actual["invalid token", method, url] = client.generic(
            method, url, headers=bad_token
        ).status_code
        for role, values in samples.items():
            url = concrete_url(route, values)
            bearer = {"Authorization": f"Bearer {values['raw_token']}"}
            allowed = perm in ROLE_PERMS[role]
            let_in = (
                422
                if (method, route) in API_BODY_REQUIRED
                else 400
                if (method, route) in API_QUERY_REQUIRED
                else 200
            )
            expected[role, method, url] = 403 if not allowed else "let in" if anonymous else let_in
            actual[role, method, url] = api_outcome(
                client.generic(method, url, headers=bearer), anonymous
            )
    assert actual == expected
