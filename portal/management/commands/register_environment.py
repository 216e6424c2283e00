"""Register the Dataverse environment named by DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET (for deployments that configure their org through the environment)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.services.environments import environment_from_env


class Command(BaseCommand):
    help = "Register or update the environment from DATAVERSE_URL / AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET."

    def handle(self, *args: Any, **options: Any) -> None:
        environment = environment_from_env()
        if environment is None:
            raise CommandError(
                "Set DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, then run this again."
            )
        self.stdout.write(f"Environment “{environment.name}” ({environment.org_url}) registered.")
