"""Queries compiled once per thread read and write rows exactly as the ORM does."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.prepared import TEXT_MARKER, PreparedQuery, PreparedUpdate
from portal.session_engines.db import SessionStore
from tests import factories
from wizard.models import Channel

pytestmark = pytest.mark.django_db

FIELDS = [field.attname for field in Channel._meta.concrete_fields]


def _by_pk(*related):
    return PreparedQuery(
        Channel, lambda pk: Channel.objects.select_related(*related).filter(pk=pk).order_by()
    )


def test_a_prepared_read_builds_the_same_channel_as_the_orm_with_its_related_rows():
    channel = factories.ChannelFactory(environment=factories.EnvironmentFactory(name="Contoso prod"))
    expected = Channel.objects.select_related("environment", "last_editor").get(pk=channel.pk)
    found = _by_pk("environment", "last_editor").get(channel.pk)
    assert [getattr(found, name) for name in FIELDS] == [getattr(expected, name) for name in FIELDS]
    assert isinstance(found.data, dict) and found.data["details"]["name"] == "Contoso support chat"
    assert timezone.is_aware(found.updated_at)
    # The related rows came in the same query: reading them asks nothing more.
    with CaptureQueriesContext(connection) as queries:
        assert found.environment.name == "Contoso prod"
        assert found.last_editor.username == channel.owner.username
    assert len(queries) == 0
    assert found._state.db == "default" and not found._state.adding


def test_a_prepared_read_of_a_missing_row_is_none_and_a_missing_related_row_is_none():
    channel = factories.ChannelFactory(last_editor=None)
    query = _by_pk("environment", "last_editor")
    assert query.get(channel.pk + 1000) is None
    found = query.get(channel.pk)
    assert found.environment is None and found.last_editor is None


def test_a_prepared_read_is_compiled_once_and_asks_one_query_each_time(monkeypatch):
    first, second = factories.ChannelFactory(), factories.ChannelFactory()
    query = _by_pk()
    query.get(first.pk)
    monkeypatch.setattr(query, "build", lambda pk: pytest.fail("compiled again"))
    with CaptureQueriesContext(connection) as queries:
        assert query.get(second.pk).pk == second.pk
    assert len(queries) == 1 and str(second.pk) in queries[0]["sql"]


def test_a_prepared_read_takes_its_value_in_exactly_one_place():
    query = PreparedQuery(Channel, lambda pk: Channel.objects.filter(pk=pk, owner_id=pk))
    with pytest.raises(ValueError, match="exactly one place"):
        query.get(1)


def test_a_text_marker_finds_a_row_by_a_text_column():
    user = factories.author(username="dana")
    query = PreparedQuery(
        get_user_model(), lambda name: get_user_model().objects.filter(username=name), marker=TEXT_MARKER
    )
    assert query.get("dana") == user
    assert query.get("nobody") is None


def _save(**values):
    return PreparedUpdate(Channel, guards=("version",), within="status", increments=("version",)), values


def test_a_prepared_update_writes_each_value_as_the_orm_would_and_counts_up_the_version():
    channel = factories.ChannelFactory(status="draft", version=4)
    editor = factories.author()
    environment = factories.EnvironmentFactory()
    when = timezone.now() - datetime.timedelta(minutes=5)
    update, values = _save(
        data={"details": {"name": "Contoso <b>chat</b>"}},
        last_editor=editor,
        environment=environment,
        edited_at=when,
        editor_ids=[editor.pk],
        name="Contoso chat",
    )
    assert update.run(channel.pk, values, guards=(4,), within=("draft", "published")) == 1
    channel.refresh_from_db()
    assert channel.version == 5
    assert channel.data == {"details": {"name": "Contoso <b>chat</b>"}}
    assert channel.last_editor == editor and channel.environment == environment
    assert channel.edited_at == when and channel.editor_ids == [editor.pk] and channel.name == "Contoso chat"


def test_a_prepared_update_changes_nothing_from_a_stale_version_or_a_status_not_listed():
    channel = factories.ChannelFactory(status="in_review", version=2)
    update, values = _save(name="Changed")
    assert update.run(channel.pk, values, guards=(2,), within=("draft",)) == 0
    assert update.run(channel.pk, values, guards=(1,), within=("in_review",)) == 0
    channel.refresh_from_db()
    assert (channel.name, channel.version) == ("Contoso support chat", 2)
    # A value of None clears a foreign key.
    assert update.run(channel.pk, {"last_editor": None}, guards=(2,), within=("in_review",)) == 1
    channel.refresh_from_db()
    assert channel.last_editor is None and channel.version == 3


def test_a_session_is_read_while_it_lasts_and_an_expired_one_is_not(client):
    user = factories.author()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    store = SessionStore(key)
    assert store.load()  # the signed-in user's session
    assert store.session_key == key
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new session gets a new key
    assert client.get(reverse("home")).status_code == 302  # signed out


def test_an_inactive_or_deleted_user_is_signed_out(client):
    user = factories.author()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 302
    other = factories.author()
    client.force_login(other)
    assert client.get(reverse("home")).status_code == 200
    other.delete()
    assert client.get(reverse("home")).status_code == 302


def test_an_integer_beyond_64_bits_matches_no_row_instead_of_failing():
    channel = factories.ChannelFactory(status="draft", version=2)
    assert _by_pk().get(2**70) is None
    update, values = _save(name="Changed")
    assert update.run(channel.pk, values, guards=(2**64,), within=("draft",)) == 0
    assert update.run(2**63, values, guards=(2,), within=("draft",)) == 0
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"


def test_a_forged_version_beyond_64_bits_is_refused_as_stale(client):
    author = factories.author()
    client.force_login(author)
    channel = factories.ChannelFactory(owner=author)
    url = reverse("wizard:step", args=[channel.pk, "details"])
    response = client.post(url, {"version": str(2**70), "name": "Forged"})
    assert response.status_code == 409
    channel.refresh_from_db()
    assert channel.name == "Contoso support chat"
