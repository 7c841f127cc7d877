from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "childsafe.core"
    label = "core"
