"""Publishing from the channel page and its progress fragment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import PUBLISH_CHANNEL, VIEW_CHANNEL, permission_required
from publishing.services import live
from publishing.services import publish as service
from wizard.models import Channel

PANEL = "publishing/partials/publish_panel.html#panel"


def _panel(request: AuthenticatedRequest, channel: Channel, error: str = "") -> HttpResponse:
    publishes = live.channel_publishes(channel)
    response = render(request, PANEL, {"channel": channel, "publishes": publishes, "publish_error": error})
    if publishes.latest is not None and publishes.active is None and not error:
        # The publish just ended: reload the page so the status badge and revisions are current too.
        response["HX-Refresh"] = "true"
    return response


@permission_required(PUBLISH_CHANNEL)
@require_POST
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    error = ""
    try:
        service.request_publish(channel, request.user)  # type: ignore[arg-type]
    except service.PublishError as problem:
        error = str(problem)
    channel.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        return _panel(request, channel, error)
    if error:
        messages.error(request, error)
    return redirect("wizard:channel", pk)


@permission_required(VIEW_CHANNEL)
@require_GET
def publish_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    if service.expire_stale_attempts(channel.pk):
        channel.refresh_from_db()
    return _panel(request, channel)
