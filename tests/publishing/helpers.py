"""Shared helpers for the publish tests: approved channels and the emulator's knobs."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from portal.models import Environment
from tests import factories
from wizard.models import Channel, ChannelStatus, Revision
from wizard.services.workflow import content_hash

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
