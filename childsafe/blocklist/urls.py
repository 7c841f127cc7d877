"""Pages of the blocklist app: the authority list and the block page. The block page
has a translated path: /chan/ in Vietnamese, /en/blocked/ in English (the Vietnamese
catalogue translates the path)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from childsafe.blocklist import views
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
    path("filter/school/", policy_views.school_policy, name="blocklist-school-policy"),
    path(
        "filter/school/networks/",
        policy_views.school_network_add,
        name="blocklist-school-network-add",
    ),
    path(
        "filter/school/entries/", policy_views.school_entry_add, name="blocklist-school-entry-add"
    ),
]
