"""Pages of the blocklist app: the authority list and the block page. The block page
has a translated path: /chan/ in Vietnamese, /en/blocked/ in English (the Vietnamese
catalogue translates the path)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from childsafe.blocklist import views
from childsafe.blocklist.policy import figures_views, querylog_views, rules_views
from childsafe.blocklist.policy import views as policy_views

urlpatterns = [
    path("blocklist/", views.entry_list, name="blocklist-entry-list"),
    path("blocklist/new/", views.entry_create, name="blocklist-entry-create"),
    path("blocklist/<int:entry_id>/", views.entry_detail, name="blocklist-entry-detail"),
    path("blocklist/<int:entry_id>/lift/", views.entry_lift, name="blocklist-entry-lift"),
    path(_("blocked/"), views.block_page, name="blocklist-block-page"),
    path("filter/", policy_views.policy_overview, name="blocklist-policy-overview"),
    path(
        "filter/requests/<int:request_id>/decide/",
        policy_views.allow_decide,
        name="blocklist-allow-decide",
    ),
    path("filter/figures/", figures_views.policy_figures, name="blocklist-policy-figures"),
    path(
        "filter/figures/csv/",
        figures_views.policy_figures_csv,
        name="blocklist-policy-figures-csv",
    ),
    path(
        "filter/figures.xlsx",
        figures_views.policy_figures_xlsx,
        name="blocklist-policy-figures-xlsx",
    ),
    path("filter/rules/", policy_views.policy_rules, name="blocklist-policy-rules"),
    path("filter/rules/set/", policy_views.policy_rule_set, name="blocklist-policy-rule-set"),
    path("filter/lists/", policy_views.policy_lists, name="blocklist-policy-lists"),
    path(
        "filter/lists/upload/",
        policy_views.policy_list_upload,
        name="blocklist-policy-list-upload",
    ),
    path(
        "filter/lists/<int:list_id>/rollback/",
        policy_views.policy_list_rollback,
        name="blocklist-policy-list-rollback",
    ),
    path("filter/school/", policy_views.school_policy, name="blocklist-school-policy"),
    path(
        "filter/school/networks/<int:network_id>/remove/",
        policy_views.school_network_remove,
        name="blocklist-school-network-remove",
    ),
    path(
        "filter/school/entries/<int:school_entry_id>/remove/",
        policy_views.school_entry_remove,
        name="blocklist-school-entry-remove",
    ),
    path(
        "filter/school/settings/",
        policy_views.school_settings,
        name="blocklist-school-settings",
    ),
    path(
        "filter/school/networks/",
        policy_views.school_network_add,
        name="blocklist-school-network-add",
    ),
    path(
        "filter/school/entries/", policy_views.school_entry_add, name="blocklist-school-entry-add"
    ),
    path(
        "filter/school/query-log/",
        querylog_views.school_query_log,
        name="blocklist-querylog-school",
    ),
    path(
        "filter/school/query-log/enable/",
        querylog_views.school_query_log_enable,
        name="blocklist-querylog-enable",
    ),
    path(
        "filter/school/query-log/<int:period_id>/end/",
        querylog_views.school_query_log_end,
        name="blocklist-querylog-school-end",
    ),
    path("filter/school/rules/", rules_views.school_rules, name="blocklist-school-rules"),
    path(
        "filter/school/rules/set/",
        rules_views.school_rule_set,
        name="blocklist-school-rule-set",
    ),
    path(
        "filter/school/rules/remove/",
        rules_views.school_rule_remove,
        name="blocklist-school-rule-remove",
    ),
    path(
        "filter/rules/schools/",
        rules_views.policy_school_rules,
        name="blocklist-policy-school-rules",
    ),
    path(
        "filter/rules/schools/<int:school_id>/set/",
        rules_views.policy_school_rule_set,
        name="blocklist-policy-school-rule-set",
    ),
    path(
        "filter/rules/schools/<int:school_id>/remove/",
        rules_views.policy_school_rule_remove,
        name="blocklist-policy-school-rule-remove",
    ),
    path("filter/query-log/", querylog_views.query_log_list, name="blocklist-querylog-list"),
    path(
        "filter/query-log/<int:period_id>/end/",
        querylog_views.query_log_end,
        name="blocklist-querylog-end",
    ),
]
