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


def test_make_run_starts_two_orgs_and_registers_both(db, settings, monkeypatch, emulator):
    from portal.models import Environment

    monkeypatch.setenv("PORTAL_BASE_URL", "placeholder")  # handle() sets it; monkeypatch restores it
    monkeypatch.delenv("DATAVERSE_URL", raising=False)
    monkeypatch.setattr("signal.signal", lambda *args: None)

    started = []

    def fake_start(self, state_dir, port, profile="default"):
        started.append((state_dir.name, port, profile))
        return dict(emulator.connection)

    monkeypatch.setattr(Command, "start_emulator", fake_start)
    monkeypatch.setattr("portal.management.commands.runportal.call_command", lambda *a, **kw: None)
    command = _command()
    command.handle(
        addrport="127.0.0.1:8000",
        emulator_port=8443,
        test_emulator_port=8444,
        no_emulator=False,
        no_worker=True,
    )
    assert [profile for _, _, profile in started] == ["default", "test"]
    assert [port for _, port, _ in started] == [8443, 8444]
    assert started[0][0] != started[1][0]  # two state directories
    names = set(Environment.objects.values_list("name", flat=True))
    assert {"Local Dataverse (emulator)", "Local Dataverse (test)"} <= names
    assert "Local Dataverse (test)" in command.stdout.getvalue()


def test_the_second_org_is_served_by_its_own_emulator_process(tmp_path, monkeypatch):
    """The real subprocess: `python -m emulator serve --profile test` writes its connection and answers."""
    import dataverse

    stops = []
    monkeypatch.setattr("atexit.register", stops.append)
    connection = _command().start_emulator(tmp_path / "emulator-test", 0, "test")
    try:
        assert connection["profile"] == "test"
        session = dataverse.build_session(connection["ca_file"])
        provider = dataverse.token_provider_for(
            key="runportal-test-org",
            tenant_id=connection["tenant_id"],
            client_id=connection["client_id"],
            client_secret=connection["client_secret"],
            org_url=connection["org_url"],
            authority_host=str(connection["authority"]).rstrip("/").rsplit("/", 1)[0],
            instance_discovery=False,
            session=session,
        )
        client = dataverse.DataverseClient(connection["org_url"], provider, session=session)
        hours = sorted(
            row["msdyn_name"] for row in client.query("msdyn_operatinghours", select=["msdyn_name"])
        )
        assert hours == ["Around the clock", "Business hours"]
    finally:
        for stop in stops:
            stop()


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
