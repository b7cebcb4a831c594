from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socius.accounts.models import User
from socius.accounts.services import token_create
from socius.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for an employee; the token is printed alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--scopes", required=True, help="Comma-separated, e.g. people:read,people:write"
        )
        parser.add_argument("--name", default="Command-line token")

    def handle(self, *args: Any, email: str, scopes: str, name: str, **options: Any) -> None:
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active employee has the email {email!r}.")
        try:
            created = token_create(user=user, name=name, scopes=scopes.split(","))
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message} {error.details}") from None
        self.stdout.write(
            f"Token {created.token.prefix}… for {user.email}: {', '.join(created.token.scopes)}"
        )
        self.stdout.write(created.secret)
