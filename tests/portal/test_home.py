import pytest

from tests.factories import ChannelFactory, author, publisher, reviewer
from wizard.models import ChannelStatus

pytestmark = pytest.mark.django_db


def test_author_sees_their_drafts_with_a_count(client):
    user = author()
    ChannelFactory(owner=user, name="Mine one")
    ChannelFactory(owner=user, name="Mine two", status=ChannelStatus.CHANGES_REQUESTED)
    ChannelFactory(name="Someone else's")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Mine one" in html and "Mine two" in html and "Someone else" not in html
    assert "Awaiting my review" not in html


def test_reviewer_and_publisher_see_their_queues(client):
    ChannelFactory(name="Needs review", status=ChannelStatus.IN_REVIEW)
    ChannelFactory(name="Ready one", status=ChannelStatus.APPROVED)
    client.force_login(reviewer())
    html = client.get("/").content.decode()
    assert "Awaiting my review" in html and "Needs review" in html
    client.force_login(publisher())
    html = client.get("/").content.decode()
    assert "Ready to publish" in html and "Ready one" in html


def test_only_someone_who_can_start_a_channel_is_told_to_start_one(client):
    client.force_login(author())
    assert "Start one with New channel" in client.get("/").content.decode()
    client.force_login(reviewer())
    html = client.get("/").content.decode()
    assert "No drafts." in html and "Start one with New channel" not in html
    assert "Start one with New channel" not in client.get("/channels/").content.decode()


def test_login_page_and_sign_in(client):
    author(username="author")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "author", "password": "changeme"})
    assert response.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"username": "author", "password": "wrong"})
    assert "Your username and password didn" in response.content.decode()


def test_a_page_refused_for_lack_of_a_group_says_whom_to_ask_and_where_groups_come_from(client):
    client.force_login(reviewer())
    response = client.get("/channels/new/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "This needs the Channel authors group. Ask a portal administrator to add you to it." in html
    assert "Microsoft Entra ID" in html


def test_favicon_ico_leads_to_the_portals_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon") and response["Location"].endswith(".svg")
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg")
    assert client.post("/favicon.ico").status_code == 405
