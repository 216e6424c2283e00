"""Shared helpers for the publish tests: approved channels and the emulator's knobs."""

from __future__ import annotations

import itertools
from typing import Any

import requests
from django.utils import timezone

from dataverse import DataverseClient, token_provider_for
from portal.models import Environment
from tests import factories
from wizard.models import Channel, ChannelStatus, Revision
from wizard.services.workflow import content_hash

_unique_pk = itertools.count(100_000)


def approved_channel(environment: Environment | None, *, author: Any = None, **overrides: Any) -> Channel:
    """A channel whose latest revision is approved (by someone else), ready to publish."""
    author = author or factories.author()
    data = factories.complete_data(**overrides)
    if environment is not None:
        data["details"]["environment"] = str(environment.pk)
    channel = factories.ChannelFactory(
        owner=author, data=data, environment=environment, status=ChannelStatus.APPROVED
    )
    approve_revision(channel, data)
    return channel


def approve_revision(channel: Channel, data: dict[str, Any]) -> Revision:
    number = channel.revisions.count() + 1
    digest = content_hash(data)
    revision = Revision.objects.create(
        channel=channel,
        number=number,
        data=data,
        content_hash=digest,
        created_by=channel.owner,
        editor_ids=[channel.owner.pk],
        state=Revision.State.APPROVED,
        reviewed_by=factories.reviewer(),
        reviewed_at=timezone.now(),
        approved_hash=digest,
    )
    channel.data = data
    channel.status = ChannelStatus.APPROVED
    channel.save()
    return revision


def unique_environment_pk(environment: Environment) -> Environment:
    """Give the environment a pk no earlier test used, so deterministic row ids never collide in the
    one emulator shared by the test session (rolled-back test transactions reuse pks)."""
    new_pk = next(_unique_pk)
    Environment.objects.filter(pk=environment.pk).update(id=new_pk)
    return Environment.objects.get(pk=new_pk)


class Knobs:
    """The emulator's fault and request-log knobs, with a token of their own."""

    def __init__(self, server: Any) -> None:
        conn = server.connection if isinstance(server.connection, dict) else dict(server.connection)
        self.base_url = server.base_url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = conn["ca_file"]
        authority = str(conn["authority"]).rstrip("/")
        self.provider = token_provider_for(
            key="emulator-knobs",
            tenant_id=conn["tenant_id"],
            client_id=conn["client_id"],
            client_secret=conn["client_secret"],
            org_url=conn["org_url"],
            authority_host=authority.rsplit("/", 1)[0],
            instance_discovery=False,
            session=self.session,
        )
        self.client = DataverseClient(conn["org_url"], self.provider, session=self.session)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.provider.get_token()}"}

    def fault(self, **spec: Any) -> None:
        response = self.session.post(
            f"{self.base_url}/_emulator/faults", json=spec, headers=self._headers(), timeout=10
        )
        response.raise_for_status()

    def clear(self) -> None:
        self.session.delete(f"{self.base_url}/_emulator/faults", headers=self._headers(), timeout=10)

    def log(self, after: int = 0) -> list[dict[str, Any]]:
        response = self.session.get(
            f"{self.base_url}/_emulator/requests",
            params={"after": after},
            headers=self._headers(),
            timeout=10,
        )
        response.raise_for_status()
        return list(response.json()["value"])

    def last_seq(self) -> int:
        self._headers()  # make sure the knobs' own token request is already in the log
        entries = self.log()
        return max((int(e["seq"]) for e in entries), default=0)
