"""Django's migrate, run as the owner of the tables (DATABASE_OWNER_URL, when set), followed by
what every migrate must leave behind on PostgreSQL: the append-only triggers on every historical
table there now is, and the app's role created if missing and granted (apps/ops/db_roles.py).
Doing it here, after the last migration, covers the historical tables and columns that any app's
later migrations add, with nothing for those migrations to remember."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import CommandError
from django.core.management.commands import migrate
from django.db import transaction

from apps.ops import db_roles


class Command(migrate.Command):
    help = (
        migrate.Command.help
        + " Connects as DATABASE_OWNER_URL when set; then protects every historical table and "
        "grants the app's role (DATABASE_URL's user)."
    )

    def handle(self, *args, **options):
        database = options["database"]
        with db_roles.as_owner(database) as connection:
            result = super().handle(*args, **options)
            if options["plan"] or options["check_unapplied"] or options["prune"]:
                return result
            try:
                with transaction.atomic(using=database):
                    db_roles.database_prepare(connection=connection, apps=apps)
            except db_roles.RoleError as exc:
                raise CommandError(str(exc)) from exc
        return result
