import pytest
from django.urls import reverse

from tests.factories import ChannelFactory, author

pytestmark = pytest.mark.django_db


def test_wizard_labels_are_translated_to_korean(client):
    user = author()
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    html = client.get(
        reverse("wizard:step", args=[channel.pk, "appearance"]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "채팅 위젯" in html and "테마 색상" in html and "다음" in html
    html = client.get(
        reverse("wizard:step", args=[channel.pk, "appearance"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Theme color" in html


def test_language_can_be_switched(client):
    client.force_login(author())
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/channels/"})
    assert response.status_code == 302
    assert "채팅 채널" in client.get("/channels/").content.decode()
