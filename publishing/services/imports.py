"""Import from environment: the chat widgets an environment holds become channels.

Each imported channel's first revision is what the org holds, read through the reverse mapping
(:mod:`publishing.mapping.reverse`); the channel is marked published there (the imported revision is
live in that environment), and its :class:`~publishing.models.EnvironmentLink` keeps the ids of the
org's rows and the values the wizard cannot represent, so publishing it unchanged writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dataverse import DataverseError, RetryPolicy
from portal import audit
from portal.models import Environment
from portal.permissions import PUBLISH_CHANNEL
from portal.services import environments as environment_service
from publishing.mapping import LANGUAGE, WIDGET, WORKSTREAM, MappingError, is_guid
from publishing.mapping.reverse import reconcile, to_wizard
from publishing.models import EnvironmentLink
from publishing.services.reading import read_widget
from wizard.models import Channel, ChannelStatus, PublishAttempt, Revision
from wizard.services.workflow import content_hash
from wizard.steps import FORM_STEPS
from wizard.values import read

IMPORT_TIMEOUT = (5.0, 30.0)
MAX_WIDGETS_PER_IMPORT = 200


class ImportProblem(Exception):
    """The environment could not be read; ``str()`` says why."""


def _odata_datetime(value: Any) -> datetime | None:
    """An OData ``Edm.DateTimeOffset`` (``2026-12-01T04:54:37Z``) as an aware datetime; None when absent or malformed."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class WidgetSummary:
    id: str
    name: str
    workstream: str
    language: str
    modified_on: datetime | None  # the org's modifiedon, UTC
    channel: Channel | None  # the channel it was imported as (or published from), if any


@dataclass(frozen=True)
class ImportResult:
    widget_id: str
    name: str
    channel: Channel | None
    created: bool
    error: str = ""


def _client(environment: Environment) -> Any:
    return environment_service.client_for(
        environment, timeout=IMPORT_TIMEOUT, retry=RetryPolicy(max_attempts=3)
    )


def _problem(environment: Environment, error: Exception) -> ImportProblem:
    detail = error.message if isinstance(error, DataverseError) and error.message else type(error).__name__
    return ImportProblem(
        _("%(env)s could not be read: %(detail)s") % {"env": environment.name, "detail": detail}
    )


def linked_channels(environment: Environment) -> dict[str, Channel]:
    """Widget id → the portal's channel for it in ``environment`` (imported, or published from the portal)."""
    from publishing.mapping import widget_id

    found: dict[str, Channel] = {}
    for link in EnvironmentLink.objects.filter(environment=environment).select_related("channel"):
        ids = (link.binding or {}).get("ids") or {}
        wid = ids.get(f"{WIDGET.logical}:widget")
        if wid:
            found[str(wid).lower()] = link.channel
    published = PublishAttempt.objects.filter(
        environment=environment, state=PublishAttempt.State.SUCCEEDED
    ).select_related("channel")
    for attempt in published:
        found.setdefault(widget_id(attempt.channel_id, environment.pk), attempt.channel)
    return found


def list_widgets(environment: Environment) -> list[WidgetSummary]:
    """The environment's chat widgets, by name: three reads (widgets, chat workstreams, languages)."""
    try:
        client = _client(environment)
        widgets = list(
            client.query(
                WIDGET.entity_set,
                select=[
                    WIDGET.primary_id,
                    "msdyn_name",
                    "modifiedon",
                    "_msdyn_liveworkstreamid_value",
                    "_msdyn_ocwidgetlanguage_value",
                ],
                orderby="msdyn_name",
            )
        )
        workstreams = {
            str(row[WORKSTREAM.primary_id]).lower(): str(row.get("msdyn_name") or "")
            for row in client.query(WORKSTREAM.entity_set, select=[WORKSTREAM.primary_id, "msdyn_name"])
        }
        languages = {
            str(row[LANGUAGE.primary_id]).lower(): str(row.get("msdyn_languagename") or "")
            for row in client.query(LANGUAGE.entity_set, select=[LANGUAGE.primary_id, "msdyn_languagename"])
        }
    except (DataverseError, OSError) as error:
        raise _problem(environment, error) from error
    linked = linked_channels(environment)
    return [
        WidgetSummary(
            id=str(row[WIDGET.primary_id]).lower(),
            name=str(row.get("msdyn_name") or ""),
            workstream=workstreams.get(str(row.get("_msdyn_liveworkstreamid_value") or "").lower(), ""),
            language=languages.get(str(row.get("_msdyn_ocwidgetlanguage_value") or "").lower(), ""),
            modified_on=_odata_datetime(row.get("modifiedon")),
            channel=linked.get(str(row[WIDGET.primary_id]).lower()),
        )
        for row in widgets
    ]


def import_widgets(environment: Environment, widget_ids: list[str], user: User) -> list[ImportResult]:
    """Import each widget as a channel (one that is already a channel here is not imported twice)."""
    if not user.has_perm(PUBLISH_CHANNEL):
        raise PermissionDenied(_("You may not import channels."))
    wanted = list(dict.fromkeys(i.strip().strip("{}").lower() for i in widget_ids if is_guid(i)))
    if not wanted:
        raise ImportProblem(_("Choose at least one chat widget to import."))
    if len(wanted) > MAX_WIDGETS_PER_IMPORT:
        raise ImportProblem(
            _("Import at most %(max)d chat widgets at a time.") % {"max": MAX_WIDGETS_PER_IMPORT}
        )
    try:
        client = _client(environment)
    except (DataverseError, OSError) as error:
        raise _problem(environment, error) from error
    results: list[ImportResult] = []
    linked = linked_channels(environment)
    for wid in wanted:
        existing = linked.get(wid)
        if existing is not None:
            results.append(ImportResult(wid, existing.display_name, existing, False))
            continue
        try:
            live = read_widget(client, wid)
        except (DataverseError, OSError) as error:
            results.append(ImportResult(wid, wid, None, False, str(_problem(environment, error))))
            continue
        try:
            channel = _create_channel(environment, wid, live, user)
        except IntegrityError:  # imported by someone else at the same moment
            found = linked_channels(environment).get(wid)
            results.append(ImportResult(wid, found.display_name if found else wid, found, False))
            continue
        except MappingError as error:
            name = str((live.widget or {}).get("msdyn_name") or wid)
            results.append(ImportResult(wid, name, None, False, str(error)))
            continue
        linked[wid] = channel
        results.append(ImportResult(wid, channel.display_name, channel, True))
    return results


def _create_channel(environment: Environment, wid: str, live: Any, user: User) -> Channel:
    imported = to_wizard(live, environment.pk)
    data = read(imported.data).snapshot()
    now = timezone.now()
    slugs = [step.slug for step in FORM_STEPS]
    with transaction.atomic():
        channel = Channel.objects.create(
            name=str(data["details"].get("name") or "")[:100],
            status=ChannelStatus.PUBLISHED,
            data=data,
            environment=environment,
            owner=user,
            last_editor=user,
            current_step="review",
            visited_steps=[*slugs, "review"],
            saved_steps=slugs,
        )
        binding = reconcile(imported, live, channel.pk, environment.pk)  # MappingError rolls all back
        revision = Revision.objects.create(
            channel=channel,
            number=1,
            data=data,
            content_hash=content_hash(data),
            state=Revision.State.PUBLISHED,
            created_by=user,
            editor_ids=[user.pk],
            submit_comment=_("Imported from %(env)s") % {"env": environment.name},
        )
        widget = live.widget or {}
        PublishAttempt.objects.create(
            channel=channel,
            revision=revision,
            environment=environment,
            requested_by=user,
            state=PublishAttempt.State.SUCCEEDED,
            progress=_("Imported"),
            started_at=now,
            finished_at=now,
            widget_app_id=str(widget.get("msdyn_widgetappid") or ""),
            widget_snippet=str(widget.get("msdyn_widgetsnippet") or ""),
            result={
                "imported": True,
                "widget_id": wid,
                "widget_version": str(widget.get("versionnumber") or ""),
                "upserts": 0,
                "deletes": 0,
                "deleted": [],
                "notes": [],
            },
        )
        channel.published_revision = revision
        channel.save(update_fields=["published_revision", "updated_at"])
        EnvironmentLink.objects.create(
            channel=channel, environment=environment, widget_id=wid, binding=binding.json(), imported_at=now
        )
        audit.record(
            user,
            "channel.imported",
            channel=channel,
            revision=revision,
            environment=environment,
            content_hash=revision.content_hash,
            details={
                "widget_id": wid,
                "kept_columns": sum(len(v) for v in binding.kept.values()),
                "left_alone": len(binding.keep_ids),
            },
        )
    return channel
