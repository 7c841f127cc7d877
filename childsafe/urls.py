"""URL map. Pages are under i18n patterns: Vietnamese at /, English at /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from childsafe.api import api
from childsafe.blocklist.feeds import feeds_api
from childsafe.core import views as core_views
from childsafe.orgs.access import public

urlpatterns = [
    path("healthz", core_views.healthz, name="core-healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("api/v1/", api.urls),
    path("feeds/", feeds_api.urls),
]

urlpatterns += i18n_patterns(
    path("", include("childsafe.core.urls")),
    path("", include("childsafe.orgs.urls")),
    path("audit/", include("childsafe.audit.urls")),
    path("", include("childsafe.reports.urls")),
    path("", include("childsafe.cases.urls")),
    path("", include("childsafe.cases.report_urls")),
    path("", include("childsafe.takedown.urls")),
    path("", include("childsafe.takedown.figures_urls")),
    path("", include("childsafe.blocklist.urls")),
    prefix_default_language=False,
)

handler403 = "childsafe.core.errors.forbidden"
handler404 = "childsafe.core.errors.not_found"
handler500 = "childsafe.core.errors.server_error"
