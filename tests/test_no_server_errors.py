"""Every bad request gets a 4xx with a message: the review step's POST, the audit log's filters, an
oversized draft, a busy database, a checklist asked for too often."""

from __future__ import annotations

import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.urls import reverse

from portal.busy import DatabaseBusyMiddleware
from tests import factories
from wizard.models import Channel
from wizard.services import drafts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.administrator(username="auditor"))
    return client


def test_posting_to_the_review_step_is_405_with_a_message(client):
    user = factories.author(username="writer")
    channel = factories.ChannelFactory(owner=user)
    client.force_login(user)
    response = client.post(reverse("wizard:step", args=[channel.pk, "review"]), {"version": channel.version})
    assert response.status_code == 405
    assert "nothing to save" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"channel": "9" * 40},
        {"channel": "-5"},
        {"channel": "1.5"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "2024-02-30"},
        {"before": "9" * 30},
        {"after": "-1"},
        {"action": "x" * 500},
    ],
)
def test_bad_audit_log_filters_are_400_with_a_message(admin_client, query):
    response = admin_client.get(reverse("audit_log"), query)
    assert response.status_code == 400
    assert "The filter was not understood" in response.content.decode()
    export = admin_client.get(reverse("audit_export_csv"), query)
    assert export.status_code == 400
    assert "nothing was exported" in export.content.decode()


def test_the_last_valid_day_still_filters(admin_client):
    response = admin_client.get(reverse("audit_log"), {"date_to": "9998-12-31", "channel": str(2**63 - 1)})
    assert response.status_code == 200


def test_an_oversized_draft_is_refused_with_413_and_the_typed_values_are_shown_again(client):
    user = factories.author(username="writer")
    channel = factories.ChannelFactory(owner=user)
    client.force_login(user)
    huge = "Long subtitle " * 20_000  # about 280 KB
    data = {**channel.data["appearance"], "subtitle": huge, "version": channel.version, "nav": "save"}
    data = {key: value for key, value in data.items() if not isinstance(value, (list, dict))}
    response = client.post(reverse("wizard:step", args=[channel.pk, "appearance"]), data)
    assert response.status_code == 413
    text = response.content.decode()
    assert "more than the 256 KB a channel may hold" in text
    assert "Long subtitle Long subtitle" in text  # nothing typed is lost
    channel.refresh_from_db()
    assert "Long subtitle" not in str(channel.data)


def test_two_saves_cannot_grow_a_draft_past_the_cap():
    user = factories.author(username="writer")
    channel = factories.ChannelFactory(owner=user)
    half = "x" * (drafts.MAX_DRAFT_BYTES // 2 + 10)
    channel = drafts.save_step(
        channel,
        "appearance",
        {**channel.data["appearance"], "subtitle": half},
        expected_version=channel.version,
        user=user,
    ).channel
    channel = Channel.objects.get(pk=channel.pk)
    with pytest.raises(drafts.DraftTooLargeError):
        drafts.save_step(
            channel,
            "behaviors",
            {**channel.data["behaviors"], "note": half},
            expected_version=channel.version,
            user=user,
        )


def test_a_database_still_locked_after_its_timeout_answers_409(rf):
    middleware = DatabaseBusyMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/"), OperationalError("database is locked"))
    assert response.status_code == 409 and b"Reload the page" in response.content
    # A page whose message portal.js can show above a step form, which keeps what was typed.
    assert b"data-error-message>Someone else was changing" in response.content
    assert middleware.process_exception(rf.post("/"), OperationalError("no such table: x")) is None


def test_sqlite_transactions_take_the_write_lock_when_they_begin(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5


def _race(tmp_path, mode: str) -> list[str]:
    """Two writers that each read, then write, at the same moment, on a file database."""
    path = tmp_path / f"race-{mode}.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("create table t (n integer)")
    setup.execute("insert into t values (0)")
    setup.commit()
    setup.close()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def writer() -> None:
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            barrier.wait()
            db.execute(f"begin {mode}")
            value = db.execute("select n from t").fetchone()[0]
            time.sleep(0.2)
            db.execute("update t set n = ?", (value + 1,))
            db.execute("commit")
            outcomes.append("ok")
        except sqlite3.OperationalError as error:
            outcomes.append(str(error))
        finally:
            db.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_immediate_transactions_make_the_second_writer_wait_instead_of_failing(tmp_path):
    assert _race(tmp_path, "immediate") == ["ok", "ok"]
    assert "database is locked" in _race(tmp_path, "deferred")


def test_the_checklist_is_rate_limited_per_user(client, monkeypatch):
    from portal.views import roles

    calls = []
    monkeypatch.setattr(roles, "checklist", lambda environment, queue: calls.append(queue) or [])
    # The limit counts per minute window: a slow machine must not cross into the next window mid-test.
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    environment = factories.EnvironmentFactory()
    client.force_login(factories.author(username="curious"))
    url = reverse("environments:checklist", args=[environment.pk])
    answers = [client.get(url, {"queue": f"queue {i}"}).status_code for i in range(30)]
    assert answers.count(200) == 20 and answers.count(429) == 10
    assert len(calls) == 20
    limited = client.get(url)
    assert "checked too often" in limited.content.decode()
    client.force_login(factories.author(username="someone-else"))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("where", ["query", "field name"])
def test_a_nul_character_is_400_with_a_message(admin_client, where):
    url = reverse("wizard:channels")
    response = (
        admin_client.get(url, {"q": "a\x00b"})
        if where == "query"
        else admin_client.post(reverse("login"), {"user\x00name": "a", "password": "x"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-message>What you sent contains a NUL character" in html
    assert "Delete it and try again." in html and response["Content-Type"].startswith("text/html")


def test_a_nul_character_in_a_form_value_is_dropped_and_the_rest_kept(client):
    response = client.post(reverse("login"), {"username": "someone\x00", "password": "x"})
    assert response.status_code == 200  # the sign-in form answers as for any wrong password
    assert 'value="someone"' in response.content.decode()
