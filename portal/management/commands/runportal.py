"""Start two local Dataverse emulator orgs, register them as environments, start the task worker and serve
the portal.

This is what `make run` runs. The first org ("Local Dataverse (emulator)") keeps its state in
``EMULATOR_STATE_DIR``, the second ("Local Dataverse (test)", seeded with other reference rows: its own
ids, operating hours, queues and authentication setting named differently) in ``EMULATOR_TEST_STATE_DIR``,
so channels published in one session are still there in the next and moving channels between two
environments can be tried. When the task backend is the database one
(``make run`` sets ``PORTAL_TASK_BACKEND``), ``manage.py db_worker`` runs beside the portal, so a publish
is queued and shows its progress as in production; with the immediate backend it runs inside the request.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

EMULATOR_ENVIRONMENT_NAME = "Local Dataverse (emulator)"
TEST_EMULATOR_ENVIRONMENT_NAME = "Local Dataverse (test)"


class Command(BaseCommand):
    help = "Start the local Dataverse emulator orgs and serve the portal at http://127.0.0.1:8000/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--emulator-port", type=int, default=int(os.environ.get("PORTAL_EMULATOR_PORT", "8443"))
        )
        parser.add_argument(
            "--test-emulator-port",
            type=int,
            default=int(os.environ.get("PORTAL_TEST_EMULATOR_PORT", "8444")),
            help="where the second org, Local Dataverse (test), listens",
        )
        parser.add_argument("--no-emulator", action="store_true", help="Serve the portal only.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Don't start the task worker (manage.py db_worker)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Stopped with SIGTERM, exit normally so atexit stops the emulator and the worker too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        if "PORTAL_BASE_URL" not in os.environ:
            # Links in notifications point at the address served here; the worker inherits it.
            base_url = f"http://{options['addrport']}"
            os.environ["PORTAL_BASE_URL"] = base_url
            settings.PORTAL_BASE_URL = base_url
        if not options["no_emulator"]:
            from portal.services.environments import register_emulator

            orgs = (
                (EMULATOR_ENVIRONMENT_NAME, settings.EMULATOR_STATE_DIR, options["emulator_port"], "default"),
                (
                    TEST_EMULATOR_ENVIRONMENT_NAME,
                    settings.EMULATOR_TEST_STATE_DIR,
                    options["test_emulator_port"],
                    "test",
                ),
            )
            for name, state_dir, port, profile in orgs:
                connection = self.start_emulator(Path(state_dir), port, profile)
                environment = register_emulator(connection, name=name)
                self.stdout.write(
                    f"Dataverse emulator at {connection['org_url']} registered as “{environment.name}”."
                )
        from portal.services.environments import environment_from_env

        from_env = environment_from_env()
        if from_env is not None:
            self.stdout.write(f"Environment “{from_env.name}” registered from DATAVERSE_URL.")
        if not options["no_worker"]:
            self.start_worker()
        self.stdout.write(
            f"Portal at http://{options['addrport']}/ — sign in as author, reviewer, publisher or admin "
            "(password: changeme)."
        )
        call_command("runserver", options["addrport"], use_reloader=False)

    def start_worker(self) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if not backend.startswith("django_tasks_db."):
            self.stdout.write(
                "Publishing runs inside the request (immediate task backend); set "
                "PORTAL_TASK_BACKEND=django_tasks_db.DatabaseBackend to queue it for a worker."
            )
            return
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "db_worker", "--no-reload"],
        )
        atexit.register(process.terminate)
        self.stdout.write("Task worker started (manage.py db_worker): publishes run in the background.")

    def start_emulator(self, state_dir: Path, port: int, profile: str = "default") -> dict[str, Any]:
        state_dir.mkdir(parents=True, exist_ok=True)
        connection_file = state_dir / "connection.json"
        started = time.time()
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "emulator",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--state",
                str(state_dir),
                "--profile",
                profile,
            ],
        )
        atexit.register(process.terminate)
        while time.time() - started < 30:
            if process.poll() is not None:
                raise CommandError(
                    f"The Dataverse emulator stopped (exit code {process.returncode}). Is port "
                    f"{port} free? Choose another with --emulator-port or --test-emulator-port."
                )
            if connection_file.exists() and connection_file.stat().st_mtime >= started - 1:
                try:
                    return json.loads(connection_file.read_text())
                except json.JSONDecodeError:
                    pass
            time.sleep(0.1)
        raise CommandError("The Dataverse emulator did not start within 30 seconds.")
