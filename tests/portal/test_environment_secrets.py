"""The stored client secret never goes to an address it was not typed for; authority hosts are
Microsoft's; weak keys are refused and the development key lives in var/, not in the settings."""

from __future__ import annotations

import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from django.urls import reverse

from portal import local_keys
from portal.authorities import authority_host_allowed
from portal.models import AuditEntry
from portal.services import environments as service
from portal.services.environments import register_emulator
from tests.factories import administrator

ROOT = Path(__file__).resolve().parents[2]


def _form(environment, **changes):
    data = {
        "name": environment.name,
        "kind": environment.kind,
        "org_url": environment.org_url,
        "tenant_id": environment.tenant_id,
        "client_id": environment.client_id,
        "authority_host": environment.authority_host,
        "ca_bundle": environment.ca_bundle,
        "client_secret": "",
    }
    data.update(changes)
    return data


CHANGES = {
    "org_url": "https://127.0.0.1:9/",
    "tenant_id": "00000000-0000-0000-0000-0000000000ff",
    "client_id": "22222222-2222-2222-2222-222222222222",
    "authority_host": "https://localhost:9",
    "ca_bundle": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(CHANGES))
def test_changing_where_the_secret_goes_needs_the_secret_typed_again(client, emulator, monkeypatch, field):
    environment = register_emulator(emulator.connection, name="Emu")
    before = {name: getattr(environment, name) for name in service.CREDENTIAL_FIELDS}
    tried = []
    monkeypatch.setattr(service, "run_connection_test", lambda credentials: tried.append(credentials))
    client.force_login(administrator(username="admin1"))
    response = client.post(
        reverse("environments:detail", args=[environment.pk]), _form(environment, **{field: CHANGES[field]})
    )
    assert response.status_code == 200
    assert "Type the client secret again" in response.content.decode()
    assert tried == []  # the stored secret was sent nowhere
    environment.refresh_from_db()
    assert {name: getattr(environment, name) for name in service.CREDENTIAL_FIELDS} == before
    refusal = AuditEntry.objects.get(action="environment.change_refused")
    assert refusal.environment_id == environment.pk and refusal.details["fields"] == [field]
    assert refusal.actor_name == "admin1"


@pytest.mark.django_db
def test_with_the_secret_typed_again_the_change_is_tested_with_that_secret(client, emulator, monkeypatch):
    environment = register_emulator(emulator.connection, name="Emu")
    tried = []

    def fake_test(credentials):
        tried.append(credentials)
        return service.ConnectionResult(ok=False, message="refused by the test")

    monkeypatch.setattr(service, "run_connection_test", fake_test)
    client.force_login(administrator())
    client.post(
        reverse("environments:detail", args=[environment.pk]),
        _form(environment, tenant_id=CHANGES["tenant_id"], client_secret="typed-again-secret"),
    )
    assert [c.client_secret for c in tried] == ["typed-again-secret"]
    assert not AuditEntry.objects.filter(action="environment.change_refused").exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://login.microsoftonline.com",
        "https://login.microsoftonline.us",
        "https://login.chinacloudapi.cn",
        "https://login.partner.microsoftonline.cn",
        "https://LOGIN.MICROSOFTONLINE.COM/",
    ],
)
def test_microsoft_authority_hosts_are_allowed_everywhere(url):
    assert authority_host_allowed(url, production=True)
    assert authority_host_allowed(url, production=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example",
        "https://login.microsoftonline.com.evil.example",
        "https://login.microsoftonline.com@evil.example",
        "https://evil.example/login.microsoftonline.com",
        "http://login.microsoftonline.com",
        "https://login.microsoftonline.com:8443",
        "https://login.microsoftonline.com/tenant",
        "https://login.microsoftonline.com?x=1",
        "javascript:alert(1)",
        "https://[::1",
        "",
    ],
)
def test_other_hosts_are_refused(url):
    assert not authority_host_allowed(url, production=False)


def test_the_local_emulator_is_allowed_outside_production_only():
    for url in ("https://127.0.0.1:8443", "https://localhost:9443", "https://[::1]:8443"):
        assert authority_host_allowed(url, production=False)
        assert not authority_host_allowed(url, production=True)


@pytest.mark.django_db
def test_the_form_refuses_an_unknown_authority_host(client, emulator, settings):
    environment = register_emulator(emulator.connection, name="Emu")
    client.force_login(administrator())
    url = reverse("environments:detail", args=[environment.pk])
    secret = emulator.connection["client_secret"]
    text = client.post(url, _form(environment, authority_host="https://evil.example", client_secret=secret))
    assert "Use a Microsoft Entra sign-in host" in text.content.decode()
    settings.PRODUCTION = True
    text = client.post(url, _form(environment, client_secret=secret)).content.decode()
    assert "Use a Microsoft Entra sign-in host" in text  # the emulator is no authority in production
    environment.refresh_from_db()
    assert environment.authority_host == emulator.connection["authority"].rsplit("/", 1)[0]


# --- keys -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["x", "short-key", "a" * 64, "abababababababababababababababab12"])
def test_weak_keys_are_refused(monkeypatch, tmp_path, value):
    monkeypatch.setenv("PORTAL_SECRETS_KEY", value)
    with pytest.raises(local_keys.WeakKeyError, match="PORTAL_SECRETS_KEY is too weak"):
        local_keys.key("PORTAL_SECRETS_KEY", name="secrets", production=False, directory=tmp_path)


def test_a_missing_key_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_AUDIT_KEY", raising=False)
    with pytest.raises(local_keys.WeakKeyError, match="Set PORTAL_AUDIT_KEY"):
        local_keys.key("PORTAL_AUDIT_KEY", name="audit", production=True, directory=tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_development_key_is_generated_once_in_var(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRETS_KEY", raising=False)
    first = local_keys.key("PORTAL_SECRETS_KEY", name="secrets", production=False, directory=tmp_path)
    again = local_keys.key("PORTAL_SECRETS_KEY", name="secrets", production=False, directory=tmp_path)
    assert first == again and local_keys.weakness(first) is None
    path = tmp_path / "secrets.key"
    assert path.read_text().strip() == first
    assert (path.stat().st_mode & 0o777) == 0o600


def _key_in(directory):
    return local_keys.key("PORTAL_TEST_RACE_KEY", name="race", production=False, directory=Path(directory))


def _slow_key():
    time.sleep(0.05)  # a slow disk or a busy machine: the others start meanwhile
    return secrets.token_urlsafe(48)


def test_processes_that_start_at_once_all_read_the_one_key_written(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_TEST_RACE_KEY", raising=False)
    monkeypatch.setattr(local_keys, "generate", _slow_key)  # the worker processes are forked with it
    with ProcessPoolExecutor(8, mp_context=multiprocessing.get_context("fork")) as pool:
        for attempt in range(5):
            folder = tmp_path / str(attempt)
            keys = set(pool.map(_key_in, [folder] * 16))
            assert len(keys) == 1 and local_keys.weakness(keys.pop()) is None
            assert [p.name for p in folder.iterdir()] == ["race.key"]  # no temporary file left behind


def test_an_empty_key_file_is_refused_with_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRETS_KEY", raising=False)
    (tmp_path / "secrets.key").write_text("")
    with pytest.raises(local_keys.WeakKeyError, match="empty or damaged: delete it"):
        local_keys.key("PORTAL_SECRETS_KEY", name="secrets", production=False, directory=tmp_path)


def test_no_key_is_written_in_the_settings():
    text = (ROOT / "portal" / "settings.py").read_text()
    assert "development-only-key" not in text
    assert 'SECRET_KEY = "' not in text and 'SECRETS_KEY = "' not in text


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_weak_secrets_key_stops_the_portal_with_a_message(tmp_path):
    result = _manage("check", PORTAL_SECRETS_KEY="x", PORTAL_KEYS_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "PORTAL_SECRETS_KEY is too weak" in result.stderr
