"""The portal's groups, and what a refused page says about them."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, author, reviewer

pytestmark = pytest.mark.django_db


def test_a_page_an_author_may_not_open_names_the_group_that_may(client):
    client.force_login(author())
    response = client.get(reverse("environments:list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        '<p class="lead" data-error-message>This needs the Portal administrators group. Ask a portal '
        "administrator to add you to it.</p>" in html
    )
    assert "Channel authors, reviewers or publishers" not in html  # the list of every group is not repeated
    assert "your groups come from your app roles or groups in Microsoft Entra ID" in html


def test_a_permission_several_groups_hold_names_them_all(client):
    client.force_login(UserFactory())
    html = client.get(reverse("wizard:channels")).content.decode()
    assert (
        "This needs one of these groups: Channel authors, Channel reviewers, Channel publishers, Portal "
        "administrators." in html
    )


def test_the_group_is_named_in_korean_too(client):
    client.force_login(reviewer())
    response = client.get(reverse("environments:list"), headers={"Accept-Language": "ko"})
    assert response.status_code == 403
    assert "Portal administrators" in response.content.decode()
    assert "This needs" not in response.content.decode() and "그룹이 필요합니다" in response.content.decode()
