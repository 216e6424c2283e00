"""Production settings pass Django's deployment checks; every page carries a content security policy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
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


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d",
        PORTAL_SECRETS_KEY="another-long-random-value-for-the-secrets-Zq81",
        PORTAL_AUDIT_KEY="a-third-long-random-value-for-the-audit-chain-Hw27",
        DJANGO_ALLOWED_HOSTS="studio.contoso.com",
        DATABASE_URL=f"sqlite:///{tmp_path}/deploy.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_audit_key():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d",
        PORTAL_SECRETS_KEY="another-long-random-value-for-the-secrets-Zq81",
    )
    assert result.returncode != 0
    assert "Set PORTAL_AUDIT_KEY" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", PORTAL_SECRETS_KEY="x")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "img-src 'self' https:" in policy
    assert response["X-Frame-Options"] == "DENY"


def _setting(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    full_env.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sessions_are_cached_only_in_a_shared_cache_and_renderings_always_locally(tmp_path):
    database = f"sqlite:///{tmp_path}/s.sqlite3"
    shared = {"DATABASE_URL": database, "PORTAL_REDIS_URL": "redis://cache.internal:6379/1"}
    # Without Redis each process has its own memory: a session read from there would outlive a
    # sign-out made in another process, so sessions are read from the database.
    assert _setting("settings.SESSION_ENGINE", DATABASE_URL=database) == "portal.session_engines.db"
    assert _setting("settings.CACHES['default']['BACKEND']", DATABASE_URL=database).endswith("LocMemCache")
    assert _setting("settings.SESSION_ENGINE", **shared) == "portal.session_engines.cached_db"
    redis = _setting("settings.CACHES['default']", **shared)
    assert "RedisCache" in redis and "redis://cache.internal:6379/1" in redis
    # Drawn pages stay in each process's memory whatever is shared: they never go stale.
    assert _setting("settings.CACHES['renderings']['BACKEND']", **shared).endswith("LocMemCache")


def test_sqlite_runs_in_write_ahead_log_mode(tmp_path):
    mode = _setting(
        "__import__('django.db').db.connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]",
        DATABASE_URL=f"sqlite:///{tmp_path}/wal.sqlite3",
    )
    assert mode == "wal"
