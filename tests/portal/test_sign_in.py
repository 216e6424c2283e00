"""Sign-in is throttled by account and by address (django-axes), lockouts are audited with a clear
message, and sessions end after an idle time as well as an absolute one."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from portal.models import AuditEntry
from portal.sessions import LAST_SEEN, SIGNED_OUT_USER, STARTED
from tests import factories

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client):
    factories.author(username="dana")
    answers = [_sign_in(client, "dana", f"guess-{i}").status_code for i in range(30)]
    assert answers.count(429) >= 25  # locked after the limit, not after 30 tries
    right = _sign_in(client, "dana", "changeme")
    assert right.status_code == 429
    text = right.content.decode()
    assert "Sign-in is locked for 15 minutes after the last failed attempt" in text
    assert "Try again in 15 minutes" in text
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.locked_out").exists()
    assert not AuditEntry.objects.filter(action="auth.signed_in").exists()


def test_the_account_is_locked_whatever_address_the_guesses_come_from(client):
    factories.author(username="dana")
    for i in range(5):
        _sign_in(client, "dana", "wrong", address=f"10.0.1.{i}")
    assert _sign_in(client, "dana", "changeme", address="10.0.2.1").status_code == 429


def test_an_address_is_locked_whatever_accounts_it_tries(client, settings):
    factories.author(username="erin")
    for i in range(settings.PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT):
        _sign_in(client, f"someone{i}", "wrong", address="10.0.3.3")
    assert _sign_in(client, "erin", "changeme", address="10.0.3.3").status_code == 429
    # Erin from her own address is not locked out.
    assert _sign_in(client, "erin", "changeme", address="10.0.3.4").status_code == 302


def test_one_persons_typos_do_not_lock_out_a_colleague_at_the_same_address(client):
    factories.author(username="dana")
    factories.reviewer(username="reviewer")
    for _ in range(6):
        _sign_in(client, "dana", "typo", address="10.0.4.4")
    assert _sign_in(client, "dana", "changeme", address="10.0.4.4").status_code == 429
    assert _sign_in(client, "reviewer", "changeme", address="10.0.4.4").status_code == 302
    logged = AuditEntry.objects.filter(details__username="reviewer")
    assert not logged.filter(action__in=["auth.sign_in_failed", "auth.locked_out"]).exists()


def test_a_blocked_attempt_is_audited_once_as_a_lockout_even_with_the_right_password(client):
    factories.author(username="hana")
    for _ in range(5):
        _sign_in(client, "hana", "wrong")
    assert AuditEntry.objects.filter(action="auth.sign_in_failed").count() == 5
    before = AuditEntry.objects.count()
    assert _sign_in(client, "hana", "changeme").status_code == 429
    added = list(AuditEntry.objects.order_by("pk")[before:].values_list("action", flat=True))
    assert added == ["auth.locked_out"]
    assert AuditEntry.objects.filter(action="auth.sign_in_failed").count() == 5


def test_the_page_warns_before_the_last_attempt(client):
    factories.author(username="ivan")
    for _ in range(3):
        assert "One attempt left" not in _sign_in(client, "ivan", "wrong").content.decode()
    text = _sign_in(client, "ivan", "wrong").content.decode()
    assert "One attempt left: another failed attempt locks sign-in for this account for 15 minutes." in text


def test_signing_out_lands_on_the_sign_in_page_with_a_notice(client):
    factories.author(username="jin")
    assert _sign_in(client, "jin", "changeme").status_code == 302
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You are signed out." in response.content.decode()


def test_a_few_mistakes_then_the_right_password_signs_in(client):
    factories.author(username="fred")
    for _ in range(3):
        assert _sign_in(client, "fred", "wrong").status_code == 200
    assert _sign_in(client, "fred", "changeme").status_code == 302
    assert AuditEntry.objects.filter(action="auth.sign_in_failed").count() == 3


def _signed_in(client):
    user = factories.author(username="gina")
    assert _sign_in(client, "gina", "changeme").status_code == 302
    return user


def _age(client, **seconds):
    session = client.session
    now = int(time.time())
    for key, ago in seconds.items():
        session[{"started": STARTED, "last": LAST_SEEN}[key]] = now - ago
    session.save()


def test_a_session_ends_after_the_idle_time(client, settings):
    user = _signed_in(client)
    assert client.get(reverse("home")).status_code == 200
    _age(client, last=settings.PORTAL_SESSION_IDLE_SECONDS + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert AuditEntry.objects.filter(action="auth.session_expired", details__reason="idle").exists()
    assert client.get(reverse("home")).status_code == 302
    # The new session knows who was signed out of it (a step saved now is kept for them alone).
    assert client.session[SIGNED_OUT_USER] == {"pk": user.pk, "username": "gina"}
    # Signing in again makes it moot.
    assert _sign_in(client, "gina", "changeme").status_code == 302
    assert SIGNED_OUT_USER not in client.session


def test_the_idle_time_is_configurable_and_activity_keeps_the_session(client, settings):
    settings.PORTAL_SESSION_IDLE_SECONDS = 600
    _signed_in(client)
    _age(client, last=500)
    assert client.get(reverse("home")).status_code == 200
    _age(client, last=700)
    assert client.get(reverse("home")).status_code == 302


def test_a_busy_session_still_ends_at_the_absolute_limit(client, settings):
    _signed_in(client)
    _age(client, started=settings.PORTAL_SESSION_MAX_SECONDS + 5, last=10)
    assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session_expired", details__reason="absolute").exists()


def test_the_default_idle_time_is_eight_hours(settings):
    assert settings.PORTAL_SESSION_IDLE_SECONDS == 8 * 3600


def test_a_sign_out_ends_the_session_even_where_another_process_still_holds_a_copy(client):
    """Without a shared cache, each process's memory is its own: a session must be read from the database,
    where the sign-out deleted it, not from a copy another process kept in memory."""
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache
    from django.test import Client

    factories.author(username="erin")
    assert _sign_in(client, "erin", "changeme").status_code == 302
    other = Client()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    other.cookies.load({settings.SESSION_COOKIE_NAME: key})
    assert other.get(reverse("wizard:channels")).status_code == 200
    copy = dict(client.session.items())
    client.post(reverse("logout"))
    cache.set(KEY_PREFIX + key, copy)  # what another process's local cache would still hold
    response = other.get(reverse("wizard:channels"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
