"""Start the local Dataverse emulator, register it as an environment, and serve the portal.

This is what `make run` runs. The emulator keeps its state in ``EMULATOR_STATE_DIR`` so channels
published in one session are still there in the next.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

EMULATOR_ENVIRONMENT_NAME = "Local Dataverse (emulator)"


class Command(BaseCommand):
    help = "Start the local Dataverse emulator and serve the portal at http://127.0.0.1:8000/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--emulator-port", type=int, default=int(os.environ.get("PORTAL_EMULATOR_PORT", "8443"))
        )
        parser.add_argument("--no-emulator", action="store_true", help="Serve the portal only.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_emulator"]:
            connection = self.start_emulator(Path(settings.EMULATOR_STATE_DIR), options["emulator_port"])
            from portal.services.environments import register_emulator

            environment = register_emulator(connection, name=EMULATOR_ENVIRONMENT_NAME)
            self.stdout.write(
                f"Dataverse emulator at {connection['org_url']} registered as “{environment.name}”."
            )
        from portal.services.environments import environment_from_env

        from_env = environment_from_env()
        if from_env is not None:
            self.stdout.write(f"Environment “{from_env.name}” registered from DATAVERSE_URL.")
        self.stdout.write(
            f"Portal at http://{options['addrport']}/ — sign in as author, reviewer, publisher or admin "
            "(password: changeme)."
        )
        call_command("runserver", options["addrport"], use_reloader=False)

    def start_emulator(self, state_dir: Path, port: int) -> dict[str, Any]:
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
            ],
        )
        atexit.register(process.terminate)
        while time.time() - started < 30:
            if process.poll() is not None:
                raise CommandError(
                    f"The Dataverse emulator stopped (exit code {process.returncode}). Is port "
                    f"{port} free? Choose another with --emulator-port."
                )
            if connection_file.exists() and connection_file.stat().st_mtime >= started - 1:
                try:
                    return json.loads(connection_file.read_text())
                except json.JSONDecodeError:
                    pass
            time.sleep(0.1)
        raise CommandError("The Dataverse emulator did not start within 30 seconds.")
