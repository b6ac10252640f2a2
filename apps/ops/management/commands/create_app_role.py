"""Creates (or checks) the database role the app connects as: DATABASE_URL's user, with its
password, owning nothing. `manage.py migrate` does the same when the role is missing; this command
is for setting a new password (--password-from-env) and for printing the SQL (--sql) when the owner
may not create roles and a superuser has to."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.ops import db_roles


class Command(BaseCommand):
    help = "Create or check the app's database role (DATABASE_URL's user), as DATABASE_OWNER_URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sql", action="store_true", help="Only print the SQL for a superuser to run."
        )
        parser.add_argument(
            "--set-password",
            action="store_true",
            help="Also set the role's password to DATABASE_URL's (after changing it there).",
        )

    def handle(self, *args, sql: bool, set_password: bool, **options):
        app = settings.DATABASE_APP
        if not app:
            raise CommandError(
                "DATABASE_OWNER_URL is not set (or names the same role as DATABASE_URL): there is "
                "no separate app role to create. Set DATABASE_URL to the app's role and "
                "DATABASE_OWNER_URL to the owner of the tables (README, Deployment)."
            )
        if sql:
            for statement in db_roles.app_role_sql(role=app["USER"], password=app["PASSWORD"]):
                self.stdout.write(statement + ";")
            return
        with db_roles.as_owner() as connection:
            try:
                created = db_roles.app_role_ensure(
                    connection=connection, role=app["USER"], password=app["PASSWORD"]
                )
                if set_password and not created and app["PASSWORD"]:
                    db_roles.app_role_set_password(
                        connection=connection, role=app["USER"], password=app["PASSWORD"]
                    )
            except db_roles.RoleError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Role {app['USER']} {'created' if created else 'exists'}: it owns nothing and is no "
            "superuser. `manage.py migrate` grants it what the app needs."
        )
