from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "childsafe.orgs"
    label = "orgs"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        from childsafe.orgs import signals  # noqa: F401  (audit of logins)
