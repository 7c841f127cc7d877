"""``childsafe add-user``: create an account from the command line (first administrator)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from childsafe.orgs.models import Organisation, User
from childsafe.orgs.roles import Role
from childsafe.orgs.services import user_create


class Command(BaseCommand):
    help = "Create a user account with a role. The password is asked for, never passed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", help="code of the user's organisation")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-password", action="store_true", help="leave the password unusable"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if User.objects.filter(username=opts["username"]).exists():
            raise CommandError(f"a user named {opts['username']!r} already exists")
        org = None
        if opts["org"]:
            org = Organisation.objects.filter(code=opts["org"]).first()
            if org is None:
                raise CommandError(f"no organisation has the code {opts['org']!r}")
        password = None
        if not opts["no_password"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        user = user_create(
            username=opts["username"],
            role=opts["role"],
            organisation=org,
            full_name=opts["full_name"],
            email=opts["email"],
            password=password,
            actor="add-user",
        )
        self.stdout.write(f"created {user.username} ({user.get_role_display()})")
