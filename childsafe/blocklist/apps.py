from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlocklistConfig(AppConfig):
    name = "childsafe.blocklist"
    label = "blocklist"
    verbose_name = _("Blocklists and feeds")
