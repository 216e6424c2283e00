"""Tampering with the audit table in tests: on PostgreSQL its trigger refuses UPDATE and DELETE."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

TRIGGER = "portal_auditentry_append_only"


@contextmanager
def append_only_off() -> Iterator[None]:
    """Let the test change audit rows as an attacker with the table owner's rights could."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE portal_auditentry DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE portal_auditentry ENABLE TRIGGER {TRIGGER}")
