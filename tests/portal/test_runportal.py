"""`make run`'s command starts the task worker beside the portal when publishes are queued."""

import subprocess
from io import StringIO

from portal.management.commands.runportal import Command


def _command():
    return Command(stdout=StringIO(), stderr=StringIO())


def test_the_database_task_backend_gets_a_worker(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: started.append(args) or _Process())
    monkeypatch.setattr("atexit.register", lambda fn: None)
    command = _command()
    command.start_worker()
    assert len(started) == 1 and started[0][-2:] == ["db_worker", "--no-reload"]
    assert "Task worker started" in command.stdout.getvalue()


def test_the_immediate_backend_needs_no_worker_and_says_how_to_queue(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(
        subprocess, "Popen", lambda *a, **kw: (_ for _ in ()).throw(AssertionError("started"))
    )
    command = _command()
    command.start_worker()
    assert "PORTAL_TASK_BACKEND=django_tasks_db.DatabaseBackend" in command.stdout.getvalue()


def test_make_test_and_ci_share_one_chromium_check():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert "tools/ensure-chromium" in (root / ".ci" / "run").read_text()
    makefile = (root / "Makefile").read_text()
    assert "test: $(STAMP) chromium" in makefile and "tools/ensure-chromium" in makefile


def test_ensure_chromium_names_the_command_when_it_may_not_install(tmp_path):
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "tools" / "ensure-chromium"
    result = subprocess.run(
        ["bash", str(script)],
        env={"PATH": "/usr/bin:/bin", "CHROMIUM_PATH": str(tmp_path / "nope")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "CHROMIUM_PATH" in result.stderr


class _Process:
    def terminate(self):
        pass


def test_notification_links_follow_the_port_the_portal_serves(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_BASE_URL", "placeholder")
    monkeypatch.delenv("PORTAL_BASE_URL")
    monkeypatch.delenv("DATAVERSE_URL", raising=False)
    served = []
    monkeypatch.setattr(
        "portal.management.commands.runportal.call_command", lambda *args, **kw: served.append(args)
    )
    monkeypatch.setattr("signal.signal", lambda *args: None)
    _command().handle(addrport="127.0.0.1:8731", emulator_port=8931, no_emulator=True, no_worker=True)
    assert served == [("runserver", "127.0.0.1:8731")]
    assert settings.PORTAL_BASE_URL == "http://127.0.0.1:8731"
    from wizard.services.notifications import _url

    assert _url("/channels/3/review/") == "http://127.0.0.1:8731/channels/3/review/"


def test_an_explicit_base_url_wins(settings, monkeypatch):
    monkeypatch.setenv("PORTAL_BASE_URL", "https://studio.contoso.com")
    settings.PORTAL_BASE_URL = "https://studio.contoso.com"
    monkeypatch.setattr("portal.management.commands.runportal.call_command", lambda *args, **kw: None)
    monkeypatch.setattr("signal.signal", lambda *args: None)
    _command().handle(addrport="127.0.0.1:8731", emulator_port=8931, no_emulator=True, no_worker=True)
    assert settings.PORTAL_BASE_URL == "https://studio.contoso.com"
