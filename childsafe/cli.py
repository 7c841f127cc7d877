"""The ``childsafe`` console command.

It is Django's ``manage.py`` with the settings preset, plus the project's own
commands (``demo``, ``serve``, ``audit verify``, ``rotate-key``, ...), which are
ordinary management commands so that ``childsafe help`` lists them. The exception is
``dnsfilter``, the school filter service: it goes straight to
``childsafe.dnsfilter.main`` before any Django setup (no settings, no database).
"""

from __future__ import annotations

import os
import sys

# Friendly aliases for commands whose Django names use underscores.
ALIASES = {
    "rotate-key": "rotate_key",
    "load-units": "load_units",
    "add-user": "add_user",
    "poi-rekey": "poi_rekey",
    "import-list": "import_list",
    "unbound-config": "unbound_config",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "dnsfilter":
        # The school filter runs on a box without the project's settings or database.
        from childsafe.dnsfilter.main import main as dnsfilter_main

        sys.exit(dnsfilter_main(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childsafe.settings")
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
