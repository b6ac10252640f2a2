"""`manage.py create_api_key NAME --scope read|write`: prints the key once (only its hash is kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.api_keys import APIKeyError, api_key_create
from apps.accounts.models import ScopedAPIKey


class Command(BaseCommand):
    help = "Create an API key for a newsroom system and print it (shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="The system that will use the key.")
        parser.add_argument(
            "--scope",
            choices=ScopedAPIKey.Scope.values,
            default=ScopedAPIKey.Scope.READ,
            help="read: read-only (default); write: may also import articles, annotate and "
            "propose verdicts, like an annotator.",
        )

    def handle(self, *args, name: str, scope: str, **options) -> None:
        try:
            new = api_key_create(name=name, scope=scope, by=None)
        except APIKeyError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(
            f"Created the {new.key.get_scope_display()} key {new.key.name!r} ({new.key.prefix}). "
            "Copy it now: it cannot be shown again."
        )
        self.stdout.write(new.secret)
