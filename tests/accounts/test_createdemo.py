"""`manage.py createdemo` (what `make run` prints)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_prints_the_logins_under_column_headings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()

    call_command("createdemo", stdout=out)

    lines = out.getvalue().splitlines()
    heading = lines[1].split()
    assert heading == ["role", "username", "password"]
    logins = json.loads((tmp_path / "demo-logins.json").read_text())
    rows = [line.split() for line in lines[2:]]
    assert rows == [[username, username, password] for username, password in logins.items()]
    # the columns line up under their headings
    assert lines[1].index("password") == lines[2].index(logins[rows[0][0]])
