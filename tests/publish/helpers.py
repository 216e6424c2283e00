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

# Wizard data that sets every field away from its default.
FULL = {
    "details": {"name": "Contoso support chat", "language": "1042", "auto_detect_language": True},
    "workstream": {
        "workstream_mode": "new",
        "workstream_name": "Contoso chat workstream",
        "distribution_mode": "192350001",
        "persistent_chat": True,
        "fallback_queue_mode": "new",
        "fallback_queue_name": "Contoso chat fallback",
    },
    "appearance": {
        "title": "Chat with Contoso",
        "subtitle": "We reply within minutes",
        "theme_color": "192360017",
        "logo_url": "https://contoso.example/logo.svg",
        "agent_display_name": "192350001",
        "anonymize_agent": True,
        "generic_agent_name": "Contoso support",
        "widget_position": "192236011",
        "proactive_chat": True,
        "reconnect_enabled": True,
        "reconnect_time_limit": "45",
        "reconnect_portal_url": "https://contoso.example/portal",
        "reconnect_redirect_url": "https://contoso.example/bye",
        "operating_hours_only": True,
        "operating_hours": "Business hours",
        "show_offline_widget": True,
        "offline_title": "We're away",
        "offline_subtitle": "Back at nine",
        "domains_only": True,
        "domains": [{"domain": "contoso.example"}, {"domain": "*.contoso.example"}],
    },
    "behaviors": {
        "messages": [{"trigger": "192350017", "text": "Hi, I'm {Agentname}."}],
        "prechat_enabled": True,
        "questions": [
            {
                "name": "Name",
                "text": "What is your name?",
                "answer_type": "192350000",
                "options": "",
                "required": True,
            },
            {
                "name": "Email",
                "text": "Your email?",
                "answer_type": "192350000",
                "options": "",
                "required": False,
            },
        ],
        "postchat_enabled": True,
        "survey_provider": "600990001",
        "survey": "",
        "survey_url": "https://copilotstudio.example/survey",
        "survey_mode": "192350001",
        "survey_link_message": "Tell us how we did:",
        "authentication_settings": "Contoso portal sign-in",
        "signin_optional": True,
        "show_queue_position": False,
        "show_wait_time": False,
        "location_detection": True,
    },
    "features": {
        "attachments_customers": True,
        "attachments_agents": True,
        "notify_unread_count": True,
        "notify_sound": True,
        "transcript_download": True,
        "transcript_email": True,
        "email_template": "contoso_transcript",
        "mailbox": "support@contoso.example",
        "calling": "192350002",
        "screen_sharing": True,
        "screen_sharing_provider": "ContosoShare",
        "cobrowse": True,
        "cobrowse_provider": "ContosoBrowse",
    },
}


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
