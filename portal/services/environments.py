"""Environments: registering, reading credentials, building Dataverse clients."""

from __future__ import annotations

from typing import Any

from portal import secrets
from portal.models import Environment


def register_emulator(connection: dict[str, Any], *, name: str) -> Environment:
    """Create or update the environment that points at the local emulator described by ``connection``."""
    ca_bundle = ""
    ca_file = connection.get("ca_file")
    if ca_file:
        with open(ca_file, encoding="ascii") as handle:
            ca_bundle = handle.read()
    authority = str(connection["authority"]).rstrip("/")
    authority_host = authority.rsplit("/", 1)[0]
    environment, _ = Environment.objects.update_or_create(
        name=name,
        defaults={
            "org_url": connection["org_url"],
            "tenant_id": connection["tenant_id"],
            "client_id": connection["client_id"],
            "client_secret_encrypted": secrets.encrypt(connection["client_secret"]),
            "authority_host": authority_host,
            "ca_bundle": ca_bundle,
            "kind": Environment.Kind.EMULATOR,
            "archived": False,
        },
    )
    return environment
