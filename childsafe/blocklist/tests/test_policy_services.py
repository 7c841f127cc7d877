"""Services of the school filtering policy: list import and rollback, rules, a school's
networks and lists, allow requests and their decision."""

from __future__ import annotations

import pytest

from childsafe.audit.models import AuditEvent
from childsafe.blocklist.models import (
    CategoryList,
    CategoryListVersion,
    SchoolListStatus,
    SchoolNetwork,
    TierRule,
)
from childsafe.blocklist.policy import services
from childsafe.blocklist.policy.services import PolicyError, unpack_domains

pytestmark = pytest.mark.django_db


def import_list(actor, text, name="Adult list", category="adult"):
    return services.list_import(
        actor=actor,
        category=category,
        name=name,
        source="https://lists.example/adult",
        licence="CC BY-SA 4.0",
        text=text,
    )


def test_an_import_makes_a_new_active_version(officer):
    version = import_list(officer, "b.example\na.example\na.example\n")
    category_list = CategoryList.objects.get()
    assert category_list.active_version == version
    assert (version.entry_count, version.file_format) == (2, "plain")
    assert unpack_domains(version.domains_blob) == ["a.example", "b.example"]
    assert len(version.sha256) == 64
    assert AuditEvent.objects.filter(action="filter.list_import").count() == 1


def test_an_update_replaces_the_list_and_rollback_brings_the_old_one_back(officer):
    first = import_list(officer, "a.example\n")
    second = import_list(officer, "0.0.0.0 b.example\n")
    category_list = CategoryList.objects.get()
    assert category_list.active_version == second
    assert services.list_rollback(category_list, actor=officer) == first
    category_list.refresh_from_db()
    assert category_list.active_version == first
    with pytest.raises(PolicyError) as exc:
        services.list_rollback(category_list, actor=officer)
    assert exc.value.code == "no-previous"


def test_a_file_in_the_wrong_format_changes_nothing(officer):
    first = import_list(officer, "a.example\n")
    with pytest.raises(PolicyError) as exc:
        import_list(officer, "<html>\n<p>hello world</p>\n</html>\n")
    assert exc.value.field == "file"
    assert "none of the known formats" in exc.value.message
    assert CategoryListVersion.objects.count() == 1
    assert CategoryList.objects.get().active_version == first


def test_a_list_name_cannot_change_category(officer):
    import_list(officer, "a.example\n")
    with pytest.raises(PolicyError) as exc:
        import_list(officer, "a.example\n", category="games")
    assert exc.value.field == "name"
    assert CategoryListVersion.objects.count() == 1


def test_source_and_licence_are_required(officer):
    with pytest.raises(PolicyError) as exc:
        services.list_import(
            actor=officer, category="adult", name="x", source="", licence="", text="a.example"
        )
    assert exc.value.field == "source"


def test_a_rule_is_set_then_overridden(personas, orgs):
    actor = personas["education_officer"]
    window = [{"days": [4, 0, 0], "start": "07:00", "end": "11:30"}]
    rule = services.tier_rule_set(
        actor=actor,
        school=None,
        tier="primary",
        category="games",
        is_blocked=True,
        schedule=window,
    )
    assert rule.schedule == [{"days": [0, 4], "start": "07:00", "end": "11:30"}]
    services.tier_rule_set(
        actor=actor, school=None, tier="primary", category="games", is_blocked=False
    )
    assert TierRule.objects.get().is_blocked is False


@pytest.mark.parametrize(
    "schedule",
    [
        "07:00-11:00",
        [{"days": [7], "start": "07:00", "end": "08:00"}],
        [{"days": [1], "start": "09:00", "end": "08:00"}],
        [{"days": [1], "start": "9:00", "end": "10:00"}],
        [{"days": [], "start": "09:00", "end": "10:00"}],
        [{"days": [1], "start": "09:00", "end": "10:00", "extra": 1}],
    ],
)
def test_a_bad_schedule_is_refused(personas, schedule):
    with pytest.raises(PolicyError) as exc:
        services.tier_rule_set(
            actor=personas["education_officer"],
            school=None,
            tier="primary",
            category="games",
            is_blocked=True,
            schedule=schedule,
        )
    assert exc.value.field == "schedule"
    assert not TierRule.objects.exists()


def test_networks_are_canonical_and_unique(personas, orgs):
    admin = personas["school_it_admin"]
    network = services.school_network_add(
        orgs.school, actor=admin, cidr="10.10.1.7/24", tier="primary"
    )
    assert network.cidr == "10.10.1.0/24"
    for cidr, code in (("10.10.1.0/24", "duplicate"), ("10.10.1.0/33", "cidr"), ("x", "cidr")):
        with pytest.raises(PolicyError) as exc:
            services.school_network_add(orgs.school, actor=admin, cidr=cidr, tier="primary")
        assert exc.value.code == code
    assert SchoolNetwork.objects.count() == 1


def test_only_schools_have_filter_networks(personas, orgs):
    with pytest.raises(PolicyError):
        services.school_network_add(
            orgs.ict, actor=personas["ict_officer"], cidr="10.0.0.0/8", tier="staff"
        )


def test_an_allow_request_waits_for_the_education_officer(personas, orgs):
    entry = services.school_allow_request(
        orgs.school, actor=personas["school_it_admin"], domain="Games.example", reason="Lesson"
    )
    assert (entry.domain, entry.status) == ("games.example", SchoolListStatus.REQUESTED)
    decided = services.school_allow_decide(
        entry, actor=personas["education_officer"], approve=True, reason="For the lesson"
    )
    assert decided.status == SchoolListStatus.APPROVED
    assert decided.decided_by == personas["education_officer"]
    with pytest.raises(PolicyError) as exc:
        services.school_allow_decide(
            entry, actor=personas["education_officer"], approve=False, reason="no"
        )
    assert exc.value.code == "decided"
    assert AuditEvent.objects.filter(action="filter.allow_approve").count() == 1


def test_a_refused_request_may_be_asked_again(personas, orgs):
    admin, officer = personas["school_it_admin"], personas["education_officer"]
    entry = services.school_allow_request(orgs.school, actor=admin, domain="a.example", reason="x")
    services.school_allow_decide(entry, actor=officer, approve=False, reason="Not needed")
    again = services.school_allow_request(orgs.school, actor=admin, domain="a.example", reason="y")
    assert (again.pk, again.status, again.reason) == (entry.pk, "requested", "")


def test_a_decision_needs_a_reason(personas, orgs):
    entry = services.school_allow_request(
        orgs.school, actor=personas["school_it_admin"], domain="a.example", reason="x"
    )
    with pytest.raises(PolicyError) as exc:
        services.school_allow_decide(
            entry, actor=personas["education_officer"], approve=True, reason=" "
        )
    assert exc.value.field == "reason"


def test_a_domain_on_the_authority_list_cannot_be_allowed(personas, orgs, add):
    add("bad.example")
    with pytest.raises(PolicyError) as exc:
        services.school_allow_request(
            orgs.school, actor=personas["school_it_admin"], domain="www.bad.example", reason="x"
        )
    assert exc.value.code == "authority"


def test_deny_entries_are_in_force_at_once_and_not_duplicated(personas, orgs):
    admin = personas["school_it_admin"]
    entry = services.school_deny_add(orgs.school, actor=admin, domain="games.example")
    assert entry.status == SchoolListStatus.APPROVED
    with pytest.raises(PolicyError) as exc:
        services.school_deny_add(orgs.school, actor=admin, domain="GAMES.example")
    assert exc.value.code == "duplicate"
    with pytest.raises(PolicyError) as exc:
        services.school_deny_add(orgs.school, actor=admin, domain="com.vn")
    assert exc.value.code == "public-suffix"
