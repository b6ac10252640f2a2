from django.apps import AppConfig
from django.db.models.signals import post_migrate


def roles_ensure(sender, *, using: str = "default", **kwargs) -> None:
    """The three role groups exist after every migrate and flush (a flush empties auth_group; the
    data migration that first creates them never runs again), as Django does for permissions."""
    from django.contrib.auth.models import Group

    from apps.accounts import roles  # imports auth models: not before the app registry is ready

    for name in roles.ROLES:
        Group.objects.using(using).get_or_create(name=name)


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="accounts.roles_ensure")
