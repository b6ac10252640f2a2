import json

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.accounts.services import demo_users_ensure


class Command(BaseCommand):
    help = "Create one demo user per role (annotator, reviewer, editor) and print their logins."

    def handle(self, *args, **options):
        path = settings.VAR_DIR / "demo-logins.json"
        known = json.loads(path.read_text()) if path.exists() else {}
        logins = demo_users_ensure(known_passwords=known)
        path.write_text(json.dumps(logins, indent=2))
        path.chmod(0o600)
        self.stdout.write("Demo logins (also in var/demo-logins.json):")
        width = max(len("username"), *(len(username) for username in logins))
        self.stdout.write(f"  {'role':<{width}}  {'username':<{width}}  password")
        for username, password in logins.items():
            # each demo user is named after its role
            self.stdout.write(f"  {username:<{width}}  {username:<{width}}  {password}")
