from django.urls import path

from childsafe.orgs.views import auth, directory, tokens, users

urlpatterns = [
    path("login/", auth.login_view, name="orgs-login"),
    path("login/2fa/", auth.two_factor, name="orgs-2fa"),
    path("logout/", auth.logout_view, name="orgs-logout"),
    path("organisations/", directory.organisation_list, name="orgs-organisation-list"),
    path(
        "organisations/<int:org_id>/",
        directory.organisation_detail,
        name="orgs-organisation-detail",
    ),
    path("focal-points/", directory.focal_point_list, name="orgs-focal-point-list"),
    path(
        "focal-points/<int:focal_point_id>/",
        directory.focal_point_detail,
        name="orgs-focal-point-detail",
    ),
    path("focal-points/export.csv", directory.focal_point_export, name="orgs-focal-point-export"),
    path("users/", users.user_list, name="orgs-user-list"),
    path("users/new/", users.user_create_view, name="orgs-user-create"),
    path("users/<int:user_id>/", users.user_detail, name="orgs-user-detail"),
    path("users/<int:user_id>/active/", users.user_toggle_active, name="orgs-user-toggle-active"),
    path("users/<int:user_id>/reset-2fa/", users.user_reset_2fa, name="orgs-user-reset-2fa"),
    path("account/tokens/", tokens.token_list, name="orgs-token-list"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="orgs-token-revoke"),
]
