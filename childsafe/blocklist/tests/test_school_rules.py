"""A school's own rules: /filter/school/rules/ (the school IT admin's own school) and
/filter/rules/schools/ (any school, for the education officers); who may loosen what
is decided by ``services.tier_rule_set``."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import TierRule
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.compile import policy_compile
from childsafe.blocklist.policy.services import PolicyError, rule_blocks_at_least
from childsafe.orgs.models import Organisation, OrgKind
from childsafe.testing import START

pytestmark = pytest.mark.django_db

PAGE = "/en/filter/school/rules/"
SET = "/en/filter/school/rules/set/"
REMOVE = "/en/filter/school/rules/remove/"
OFFICER_PAGE = "/en/filter/rules/schools/"
LESSONS = [{"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "11:30"}]


@pytest.fixture
def defaults(personas):
    """The province blocks adult for primary always, games for lower secondary always
    and social for lower secondary in lessons."""
    officer = personas["education_officer"]
    for tier, category, schedule in [
        ("primary", "adult", None),
        ("lower_secondary", "games", None),
        ("lower_secondary", "social", LESSONS),
        ("lower_secondary", "violence", LESSONS),
    ]:
        services.tier_rule_set(
            actor=officer,
            school=None,
            tier=tier,
            category=category,
            is_blocked=True,
            schedule=schedule,
        )


@pytest.fixture
def other_school(orgs):
    return Organisation.objects.create(
        code="thpt-tran-phu",
        name="Trường THPT Trần Phú",
        kind=OrgKind.SCHOOL,
        parent=orgs.education,
        effective_from=START,
        school_level="upper_secondary",
    )


@pytest.fixture
def admin_client(personas, staff_client):
    return staff_client(personas["school_it_admin"])


@pytest.fixture
def officer_client(personas, staff_client):
    return staff_client(personas["education_officer"])


def rules_of(school):
    return policy_compile(school)["rules"]


def override(school, tier, category):
    return TierRule.objects.filter(school=school, tier=tier, category=category).first()


# --- What "at least as strict" means ------------------------------------------------------


def default_rule(schedule=None, blocked=True):
    return TierRule(tier="primary", category="adult", is_blocked=blocked, schedule=schedule or [])


@pytest.mark.parametrize(
    ("blocked", "schedule", "default", "expected"),
    [
        (False, [], None, True),  # the province allows it: anything goes
        (False, [], default_rule(blocked=False), True),
        (True, [], default_rule(), True),  # always is stricter than anything
        (True, [], default_rule(LESSONS), True),
        (False, [], default_rule(LESSONS), False),
        (True, LESSONS, default_rule(), False),  # windows never cover "always"
        (True, LESSONS, default_rule(LESSONS), True),
        # Two windows that meet cover one default window.
        (
            True,
            [
                {"days": [0, 1, 2, 3, 4], "start": "07:00", "end": "09:00"},
                {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "12:00"},
            ],
            default_rule(LESSONS),
            True,
        ),
        # A gap on Wednesday is looser.
        (
            True,
            [{"days": [0, 1, 3, 4], "start": "06:00", "end": "12:00"}],
            default_rule(LESSONS),
            False,
        ),
        # Windows at other times of day are looser.
        (
            True,
            [{"days": [0, 1, 2, 3, 4], "start": "13:00", "end": "17:00"}],
            default_rule(LESSONS),
            False,
        ),
    ],
)
def test_a_rule_blocks_at_least_the_default_when_it_covers_its_times(
    blocked, schedule, default, expected
):
    assert rule_blocks_at_least(blocked, schedule, default) is expected


# --- The school IT admin's page -----------------------------------------------------------


def test_the_school_page_links_to_the_rules(admin_client):
    assert PAGE.removeprefix("/en") in admin_client.get("/en/filter/school/").content.decode()


def test_the_grid_shows_the_default_and_the_school_rule(personas, orgs, defaults, admin_client):
    services.tier_rule_set(
        actor=personas["school_it_admin"],
        school=orgs.school,
        tier="lower_secondary",
        category="games",
        is_blocked=False,
    )
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rules of Trường THCS Lê Lợi" in text
    assert "Mon Tue Wed Thu Fri 07:00–11:30" in text  # social's default windows
    assert "School rule:" in text and "Looser than the province default" in text
    assert "Back to the province default" in text
    assert "Can only be made stricter." in text  # adult for primary
    cell = next(
        c
        for label, cells in response.context["grid"]
        if label == "Games"
        for c in cells
        if c["tier"] == "lower_secondary"
    )
    assert cell["default_blocked"] and cell["override"].is_blocked is False


def test_a_school_admin_tightens_a_category(orgs, defaults, admin_client):
    response = admin_client.post(SET, {"tier": "staff", "category": "dating", "is_blocked": "on"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert {"tier": "staff", "category": "dating"} in rules_of(orgs.school)
    event = AuditEvent.objects.filter(action="filter.rule_set").latest("pk")
    assert event.actor.username == "schoolit"
    assert event.detail == {
        "school": orgs.school.pk,
        "tier": "staff",
        "category": "dating",
        "blocked": True,
        "windows": 0,
    }


def test_a_school_admin_blocks_adult_always_where_the_province_has_windows(
    orgs, defaults, admin_client
):
    response = admin_client.post(
        SET, {"tier": "lower_secondary", "category": "violence", "is_blocked": "on"}
    )
    assert response.status_code == 302
    assert {"tier": "lower_secondary", "category": "violence"} in rules_of(orgs.school)


def test_a_school_admin_allows_games_in_breaks(orgs, defaults, admin_client):
    response = admin_client.post(
        SET,
        {
            "tier": "lower_secondary",
            "category": "games",
            "is_blocked": "on",
            "days1": ["0", "1", "2", "3", "4"],
            "start1": "07:00",
            "end1": "11:30",
        },
    )
    assert response.status_code == 302
    assert {"tier": "lower_secondary", "category": "games", "schedule": LESSONS} in rules_of(
        orgs.school
    )


def test_a_school_admin_allows_social_networks_entirely(orgs, defaults, admin_client):
    response = admin_client.post(SET, {"tier": "lower_secondary", "category": "social"})
    assert response.status_code == 302
    assert not [r for r in rules_of(orgs.school) if r["category"] == "social"]


def test_a_school_admin_cannot_allow_adult(orgs, defaults, admin_client):
    before = rules_of(orgs.school)
    response = admin_client.post(SET, {"tier": "primary", "category": "adult"})
    assert response.status_code == 400
    assert "your school may block it more, never less" in response.content.decode()
    assert override(orgs.school, "primary", "adult") is None
    assert rules_of(orgs.school) == before
    assert not AuditEvent.objects.filter(
        action="filter.rule_set", actor__username="schoolit"
    ).exists()


def test_a_school_admin_cannot_put_adult_in_windows_when_the_province_blocks_it_always(
    orgs, defaults, admin_client
):
    response = admin_client.post(
        SET,
        {
            "tier": "primary",
            "category": "adult",
            "is_blocked": "on",
            "days1": ["0"],
            "start1": "07:00",
            "end1": "08:00",
        },
    )
    assert response.status_code == 400
    assert override(orgs.school, "primary", "adult") is None


def test_a_school_admin_cannot_shrink_the_windows_of_violence(orgs, defaults, admin_client):
    response = admin_client.post(
        SET,
        {
            "tier": "lower_secondary",
            "category": "violence",
            "is_blocked": "on",
            "days1": ["0", "1", "2", "3", "4"],
            "start1": "08:00",
            "end1": "11:30",
        },
    )
    assert response.status_code == 400
    assert override(orgs.school, "lower_secondary", "violence") is None


def test_the_service_refuses_a_school_admin_whatever_the_door(personas, orgs, other_school):
    admin = personas["school_it_admin"]
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=None,
        tier="primary",
        category="adult",
        is_blocked=True,
    )
    with pytest.raises(PolicyError) as exc:
        services.tier_rule_set(
            actor=admin, school=orgs.school, tier="primary", category="adult", is_blocked=False
        )
    assert exc.value.code == "protected"
    for school in (other_school, None):
        with pytest.raises(PolicyError) as exc:
            services.tier_rule_set(
                actor=admin, school=school, tier="staff", category="games", is_blocked=True
            )
        assert exc.value.code == "forbidden"
    with pytest.raises(PolicyError) as exc:
        services.tier_rule_remove(actor=admin, school=other_school, tier="staff", category="games")
    assert exc.value.code == "forbidden"
    assert not TierRule.objects.exclude(school=None).exists()


def test_a_school_admin_cannot_reach_another_school(
    personas, other_school, admin_client, officer_client
):
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=other_school,
        tier="staff",
        category="games",
        is_blocked=True,
    )
    base = f"{OFFICER_PAGE}{other_school.pk}/"
    assert admin_client.get(f"{OFFICER_PAGE}?school={other_school.pk}").status_code == 403
    data = {"tier": "staff", "category": "games"}
    assert admin_client.post(base + "set/", data).status_code == 403
    assert admin_client.post(base + "remove/", data).status_code == 403
    assert override(other_school, "staff", "games").is_blocked


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tier": "kindergarten", "category": "games"}, "Select a valid choice"),
        ({"tier": "primary", "category": "cartoons"}, "Select a valid choice"),
        (
            {
                "tier": "primary",
                "category": "games",
                "is_blocked": "on",
                "days1": ["1"],
                "start1": "09:00",
                "end1": "08:00",
            },
            "with start before end",
        ),
        (
            {"tier": "primary", "category": "games", "is_blocked": "on", "start1": "09:00"},
            "with start before end",
        ),
    ],
)
def test_a_bad_rule_is_refused_with_a_message(orgs, admin_client, data, message):
    response = admin_client.post(SET, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TierRule.objects.exists()


def test_a_bad_removal_is_refused_with_a_message(orgs, admin_client):
    response = admin_client.post(REMOVE, {"tier": "primary", "category": "cartoons"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = admin_client.post(REMOVE, {"tier": "primary", "category": "games"})
    assert response.status_code == 400
    assert "no rule of its own here" in response.content.decode()


def test_removing_goes_back_to_the_province_default(orgs, defaults, admin_client):
    default = rules_of(orgs.school)
    admin_client.post(SET, {"tier": "lower_secondary", "category": "games"})
    assert rules_of(orgs.school) != default
    response = admin_client.post(REMOVE, {"tier": "lower_secondary", "category": "games"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert override(orgs.school, "lower_secondary", "games") is None
    assert rules_of(orgs.school) == default
    event = AuditEvent.objects.get(action="filter.rule_remove")
    assert event.actor.username == "schoolit"
    assert event.detail == {
        "school": orgs.school.pk,
        "tier": "lower_secondary",
        "category": "games",
        "blocked": False,
        "windows": 0,
    }


def test_a_school_admin_may_remove_an_officers_stricter_rule(
    personas, orgs, defaults, admin_client
):
    """Removing brings back the province's own choice, never anything looser."""
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=orgs.school,
        tier="staff",
        category="adult",
        is_blocked=True,
    )
    assert admin_client.post(REMOVE, {"tier": "staff", "category": "adult"}).status_code == 302
    assert override(orgs.school, "staff", "adult") is None


def test_it_answers_get_only_to_the_page_and_post_only_to_the_actions(admin_client):
    assert admin_client.get(SET).status_code == 405
    assert admin_client.get(REMOVE).status_code == 405
    assert admin_client.post(PAGE).status_code == 405


def test_anonymous_is_sent_to_log_in(client, orgs):
    pages = [client.get(url) for url in (PAGE, OFFICER_PAGE)]
    actions = [
        client.post(url, {"tier": "primary", "category": "games", "is_blocked": "on"})
        for url in (SET, REMOVE, f"{OFFICER_PAGE}{orgs.school.pk}/set/")
    ]
    for response in pages + actions:
        assert response.status_code == 302
        assert response["Location"].startswith("/en/login/?next=")
    assert not TierRule.objects.exists()


# --- The education officer's page ---------------------------------------------------------


def test_the_officer_picks_a_school(orgs, other_school, officer_client):
    response = officer_client.get(OFFICER_PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Trường THPT Trần Phú" in text and "Show the rules" in text
    assert "grid" not in response.context
    response = officer_client.get(f"{OFFICER_PAGE}?school={other_school.pk}")
    assert response.status_code == 200
    assert "Rules of Trường THPT Trần Phú" in response.content.decode()
    assert officer_client.get(f"{OFFICER_PAGE}?school=999999").status_code == 404
    assert officer_client.get(f"{OFFICER_PAGE}?school=x").status_code == 404
    assert officer_client.get(f"{OFFICER_PAGE}?school={orgs.education.pk}").status_code == 404


def test_the_officer_sets_and_removes_any_rule_of_any_school(
    defaults, other_school, officer_client
):
    base = f"{OFFICER_PAGE}{other_school.pk}/"
    response = officer_client.post(base + "set/", {"tier": "primary", "category": "adult"})
    assert response.status_code == 302
    assert response["Location"] == f"{OFFICER_PAGE}?school={other_school.pk}"
    assert not [r for r in rules_of(other_school) if r["category"] == "adult"]
    event = AuditEvent.objects.filter(action="filter.rule_set").latest("pk")
    assert (event.actor.username, event.detail["school"]) == ("education", other_school.pk)
    page = officer_client.get(f"{OFFICER_PAGE}?school={other_school.pk}").content.decode()
    assert "Looser than the province default" in page
    response = officer_client.post(base + "remove/", {"tier": "primary", "category": "adult"})
    assert response.status_code == 302
    assert {"tier": "primary", "category": "adult"} in rules_of(other_school)
    assert AuditEvent.objects.filter(action="filter.rule_remove").count() == 1


def test_the_officer_gets_the_grid_back_with_the_error(orgs, officer_client):
    response = officer_client.post(
        f"{OFFICER_PAGE}{orgs.school.pk}/set/",
        {"tier": "primary", "category": "games", "is_blocked": "on", "end1": "08:00"},
    )
    assert response.status_code == 400
    assert "with start before end" in response.content.decode()
    assert response.context["school"] == orgs.school


def test_the_coordinator_reads_but_cannot_change(personas, orgs, staff_client):
    client = staff_client(personas["province_coordinator"])
    response = client.get(f"{OFFICER_PAGE}?school={orgs.school.pk}")
    assert response.status_code == 200
    assert "Set the school's rule" not in response.content.decode()
    data = {"tier": "primary", "category": "games", "is_blocked": "on"}
    assert client.post(f"{OFFICER_PAGE}{orgs.school.pk}/set/", data).status_code == 403
    assert not TierRule.objects.exists()


def test_a_stricter_default_overrules_a_school_rule_it_now_exceeds(
    personas, orgs, defaults, admin_client
):
    """The school blocked violence in lessons (as the province did); the province then
    blocks it always: the school's own rule no longer applies. An officer's looser rule
    for the school still does."""
    school = orgs.school
    services.tier_rule_set(
        actor=personas["school_it_admin"],
        school=school,
        tier="lower_secondary",
        category="violence",
        is_blocked=True,
        schedule=LESSONS,
    )
    services.tier_rule_set(
        actor=personas["education_officer"],
        school=None,
        tier="lower_secondary",
        category="violence",
        is_blocked=True,
    )
    violence = [r for r in rules_of(school) if r["category"] == "violence"]
    assert violence == [{"tier": "lower_secondary", "category": "violence"}]  # always
    page = admin_client.get(PAGE)
    assert "Not applied: the province default is stricter now" in page.content.decode()

    services.tier_rule_set(
        actor=personas["education_officer"],
        school=school,
        tier="lower_secondary",
        category="violence",
        is_blocked=True,
        schedule=LESSONS,
    )
    assert override(school, "lower_secondary", "violence").may_loosen
    violence = [r for r in rules_of(school) if r["category"] == "violence"]
    assert violence == [{"tier": "lower_secondary", "category": "violence", "schedule": LESSONS}]
