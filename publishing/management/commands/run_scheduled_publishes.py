"""Publish the scheduled publishes that are due, for task backends that can't defer a task."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from publishing.services.schedule import run_due


class Command(BaseCommand):
    help = "Publish the scheduled publishes that are due (only needed without a deferring task backend)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{run_due()} scheduled publishes started")
