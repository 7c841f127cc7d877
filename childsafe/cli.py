"""The ``childsafe`` console command.

It is Django's ``manage.py`` with the settings preset, plus the project's own
commands (``demo``, ``serve``, ``audit verify``, ``rotate-key``, ...), which are
ordinary management commands so that ``childsafe help`` lists them.
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
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childsafe.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
