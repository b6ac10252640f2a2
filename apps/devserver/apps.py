from django.apps import AppConfig


class DevServerConfig(AppConfig):
    """`manage.py runserver` of `make run` (Procfile.local), tuned for API clients; listed
    before django.contrib.staticfiles in INSTALLED_APPS so that its command is the one run."""

    name = "apps.devserver"
    label = "devserver"
