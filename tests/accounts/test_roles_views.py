"""Roles management for editors (/accounts/users/)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.accounts import roles
from apps.accounts.api_keys import api_key_create

USERS = reverse("accounts:users")
HTMX = {"HX-Request": "true"}


def roles_url(user) -> str:
    return reverse("accounts:user_roles", args=[user.username])


def shown_roles(html: str, user) -> list[str]:
    row = html.split(f'id="user-{user.pk}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'name="roles" value="(\w+)" checked', row)


def held(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.django_db
def test_it_lists_people_with_their_roles_but_not_api_key_users(
    client, editor, annotator, reviewer, outsider
):
    api_key_create(name="CMS", scope="write", by=editor)
    client.force_login(editor)

    html = client.get(USERS).content.decode()

    assert shown_roles(html, annotator) == ["annotator"]
    assert shown_roles(html, reviewer) == ["reviewer"]
    assert shown_roles(html, outsider) == []
    assert "api-key-" not in html


@pytest.mark.django_db
def test_it_lists_users_in_a_fixed_number_of_queries(client, editor, django_assert_num_queries):
    from tests.factories import UserFactory

    client.force_login(editor)
    # session, user, roles, count, page, the page's groups
    with django_assert_num_queries(6):
        client.get(USERS)
    for n in range(10):
        UserFactory(username=f"person{n}", role="annotator")
    with django_assert_num_queries(6):
        response = client.get(USERS)
    assert response.content.decode().count('class="user-row"') == 11


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_gives_and_takes_roles(client, editor, annotator, htmx):
    client.force_login(editor)

    response = client.post(
        roles_url(annotator), {"roles": ["reviewer", "editor"]}, headers=HTMX if htmx else {}
    )

    assert held(annotator) == {"reviewer", "editor"}
    annotator = type(annotator).objects.get(pk=annotator.pk)
    assert roles.can_review(annotator) and roles.can_edit(annotator)
    if htmx:
        html = response.content.decode()
        assert html.lstrip().startswith(f'<tr id="user-{annotator.pk}"')
        assert "Saved: editor, reviewer." in html
    else:
        assert response["Location"] == USERS
        assert "anna now has: editor, reviewer." in client.get(USERS).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_an_editor_removing_their_own_editor_role(client, editor, htmx):
    client.force_login(editor)
    response = client.post(roles_url(editor), {"roles": ["reviewer"]}, headers=HTMX if htmx else {})
    assert response.status_code == 422
    assert "You cannot remove your own editor role" in response.content.decode()
    assert held(editor) == {"editor"}


@pytest.mark.django_db
def test_it_refuses_an_unknown_role(client, editor, annotator):
    client.force_login(editor)
    response = client.post(roles_url(annotator), {"roles": ["annotator", "superuser"]})
    assert response.status_code == 422
    assert "Unknown role(s): superuser." in response.content.decode()
    assert held(annotator) == {"annotator"}


@pytest.mark.django_db
def test_it_does_not_manage_api_key_users_here(client, editor):
    key = api_key_create(name="CMS", scope="read", by=editor)
    client.force_login(editor)
    response = client.post(roles_url(key.key.user), {"roles": ["reviewer"]})
    assert response.status_code == 404
    assert held(key.key.user) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["annotator", "reviewer", "outsider"])
@pytest.mark.parametrize("htmx", [False, True])
def test_it_lets_only_editors_manage_roles(client, request, role, htmx, annotator):
    user = request.getfixturevalue(role)
    client.force_login(user)
    headers = HTMX if htmx else {}
    assert client.get(USERS, headers=headers).status_code == 403
    response = client.post(roles_url(user), {"roles": ["editor"]}, headers=headers)
    assert response.status_code == 403
    assert "editor" not in held(user)


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(client, annotator):
    assert client.get(USERS)["Location"].startswith(reverse("accounts:login"))
    assert client.post(roles_url(annotator), {"roles": ["editor"]}).status_code == 302
    assert client.post(roles_url(annotator), {"roles": ["editor"]}, headers=HTMX).status_code == 401
    assert held(annotator) == {"annotator"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, shown", [("editor", True), ("reviewer", False), ("annotator", False)]
)
def test_it_shows_the_users_and_api_keys_links_to_editors_only(client, request, role, shown):
    client.force_login(request.getfixturevalue(role))
    nav = client.get(reverse("ops:dashboard")).content.decode().split("</nav>", 1)[0]
    assert (f'href="{USERS}"' in nav) is shown
    assert (f'href="{reverse("keys:list")}"' in nav) is shown
