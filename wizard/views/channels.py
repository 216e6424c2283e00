"""Channel list, new channel, channel page, duplicate and delete."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import ADD_CHANNEL, DELETE_CHANNEL, VIEW_CHANNEL, permission_required
from publishing.models import EnvironmentLink
from publishing.services import live, publish
from wizard.models import Channel, ChannelStatus, PublishAttempt
from wizard.services import actions, drafts, workflow
from wizard.values import read

# The channel list's status filter: channels with a revision live in their environment.
LIVE = "live"


@permission_required(VIEW_CHANNEL)
def channel_list(request: AuthenticatedRequest) -> HttpResponse:
    drifted = EnvironmentLink.objects.filter(
        channel=OuterRef("pk"), environment=OuterRef("environment"), drift__has_key="fields"
    )
    channels = (
        Channel.objects.select_related("last_editor", "environment", "owner")
        .annotate(drifted=Exists(drifted))
        .order_by("-updated_at")
    )
    channels = channels.annotate(live_number=live.live_number(OuterRef("pk"), OuterRef("environment")))
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if query:
        channels = channels.filter(Q(name__icontains=query) | Q(environment__name__icontains=query))
    if status in ChannelStatus.values:
        channels = channels.filter(status=status)
    elif status == LIVE:
        channels = channels.filter(live_number__isnull=False)
    channels = channels.annotate(
        succeeded_publish=Exists(PublishAttempt.objects.filter(channel=OuterRef("pk"), state="succeeded"))
    )
    page = Paginator(channels, 25).get_page(request.GET.get("page"))
    for channel in page:
        channel.actions = actions.for_user(channel, request.user)  # type: ignore[attr-defined]
        channel.status_text = live.status_text(channel, channel.live_number)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "query": query,
        "status": status,
        # A channel edited since its publish is a draft again, yet still live: the last choice finds it.
        "statuses": [*ChannelStatus.choices, (LIVE, _("Live in its environment (any status)"))],
    }
    template = "wizard/channel_list.html#results" if request.htmx else "wizard/channel_list.html"
    return render(request, template, context)


@permission_required(ADD_CHANNEL)
@require_http_methods(["GET", "POST"])
def channel_new(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "wizard/channel_new.html", {"new_token": uuid.uuid4()})
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        token = None
    channel = drafts.create_draft(request.user, token=token)
    return redirect("wizard:step", channel.pk, channel.current_step)


@permission_required(VIEW_CHANNEL)
def channel_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    publish.expire_stale_attempts(pk)
    channel = get_object_or_404(
        Channel.objects.select_related("owner", "last_editor", "environment", "published_revision"), pk=pk
    )
    revisions = workflow.history(channel)[:20]
    publishes = live.channel_publishes(channel)
    return render(
        request,
        "wizard/channel_detail.html",
        {
            "channel": channel,
            "revisions": revisions,
            "publishes": publishes,
            "live": live.live_status(channel, publishes.live.revision if publishes.live else None),
            "fallback_queue": _fallback_queue(channel),
            "actions": actions.for_user(channel, request.user, workflow.in_review_revision(channel)),
            **_environment_link(channel),
        },
    )


def _environment_link(channel: Channel) -> dict[str, object]:
    """The channel's link to its environment: the last drift check and the values kept on import."""
    link = (
        EnvironmentLink.objects.filter(channel=channel, environment_id=channel.environment_id).first()
        if channel.environment_id
        else None
    )
    binding = (link.binding or {}) if link is not None else {}
    kept = [
        (column, pair[1])
        for columns in (binding.get("kept") or {}).values()
        for column, pair in columns.items()
        if isinstance(pair, list) and len(pair) == 2
    ]
    return {"environment_link": link, "kept_values": kept, "left_alone": len(binding.get("keep_ids") or [])}


def _fallback_queue(channel: Channel) -> str:
    """The fallback queue the environment checklist looks for: the new queue's name or the chosen one."""
    workstream = read(channel.data)["workstream"]
    if workstream["fallback_queue_mode"] == "new":
        return workstream.text("fallback_queue_name")
    return workstream.text("existing_queue")


@permission_required(ADD_CHANNEL)
@require_POST
def channel_duplicate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    try:
        token: uuid.UUID | None = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        token = None
    copy = drafts.duplicate(channel, request.user, token=token)
    messages.success(
        request, _("“%(name)s” was duplicated. You are editing the copy.") % {"name": channel.display_name}
    )
    return redirect("wizard:step", copy.pk, "details")


@permission_required(DELETE_CHANNEL)
@require_http_methods(["GET", "POST"])
def channel_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    if request.method == "POST":
        try:
            name = channel.display_name
            drafts.delete_draft(channel, request.user)
        except drafts.DraftError as error:
            messages.error(request, str(error))
            return redirect("wizard:channel", pk)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
        return redirect("wizard:channels")
    refusal = drafts.delete_refusal(channel, request.user)
    if refusal:
        # No confirmation for a delete that would be refused: the reason and what to do instead.
        messages.error(request, refusal)
        return redirect("wizard:channel", pk)
    return render(request, "wizard/channel_delete.html", {"channel": channel})
