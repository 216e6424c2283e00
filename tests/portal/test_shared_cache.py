"""The portal with its "default" cache in Redis, as several processes serve it (``PORTAL_REDIS_URL``):
the settings then read sessions from it as well.

Runs against the Redis on this machine (``PORTAL_TEST_REDIS_URL``, default database 13 on
127.0.0.1:6379, emptied before and after each test); skipped where there is none.
"""

import os

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import ChannelFactory, author
from wizard.models import Channel

redis = pytest.importorskip("redis")

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
HTMX = {"HX-Request": "true", "HX-Target": "step-page"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared():
    """The Redis database the portal's "default" cache uses, emptied around the test."""
    server = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        server.flushdb()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "renderings": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "renderings"},
    }
    with override_settings(CACHES=caches, SESSION_ENGINE="portal.session_engines.cached_db"):
        yield server
    server.flushdb()


def _keys(server):
    return " ".join(key.decode() for key in server.keys("*"))


def test_a_save_keeps_sessions_and_permissions_in_redis_and_drawn_pages_out_of_it(shared):
    user = author(username="shared-author")
    client = Client()
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    data = {k: v for k, v in channel.data["appearance"].items() if v not in (False, None) and k != "domains"}
    data.update({"version": channel.version, "nav": "next", "domains-TOTAL_FORMS": "0", "title": "Shared"})
    response = client.post(reverse("wizard:step", args=[channel.pk, "appearance"]), data, headers=HTMX)
    assert response.status_code == 200 and 'data-step="behaviors"' in response.content.decode()
    assert Channel.objects.get(pk=channel.pk).data["appearance"]["title"] == "Shared"
    keys = _keys(shared)
    assert "django.contrib.sessions.cached_db" in keys
    assert f"portal:permissions:{user.pk}" in keys
    assert "wizard" not in keys and "template.cache" not in keys


def test_a_sign_out_ends_the_session_for_every_process_that_shares_the_cache(shared):
    """Two clients with one session cookie stand for two processes: the cache they read is Redis."""
    from django.conf import settings

    user = author(username="shared-signed-out")
    first = Client()
    first.force_login(user)
    second = Client()
    second.cookies.load({settings.SESSION_COOKIE_NAME: first.cookies[settings.SESSION_COOKIE_NAME].value})
    home = reverse("home")
    assert second.get(home).status_code == 200
    first.post(reverse("logout"))
    response = second.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_role_taken_away_takes_effect_at_once_everywhere(shared):
    from django.contrib.auth.models import Group

    from portal.permissions import AUTHORS

    user = author(username="shared-role")
    client = Client()
    client.force_login(user)
    channel = ChannelFactory(owner=user)
    url = reverse("wizard:step", args=[channel.pk, "appearance"])
    assert client.get(url).status_code == 200
    user.groups.remove(Group.objects.get(name=AUTHORS))
    assert client.get(url).status_code == 403
