"""Serve the web application with gunicorn (the production WSGI server)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve ChildSafe over HTTP with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("CHILDSAFE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"ChildSafe serving on http://{bind}/ ({workers} workers)")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "childsafe.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--access-logformat",
            # No query strings: they can carry tracking codes and access keys.
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        ]
        os.execv(argv[0], argv)  # noqa: S606
