"""The home page: my drafts, what awaits my review, what is ready to publish."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from portal.http import AuthenticatedRequest
from portal.permissions import PUBLISH_CHANNEL, REVIEW_CHANNEL
from wizard.models import Channel, ChannelStatus

LIST_SIZE = 10


def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    base = Channel.objects.select_related("last_editor", "environment").order_by("-updated_at")
    mine = base.filter(
        owner=user,
        status__in=[ChannelStatus.DRAFT, ChannelStatus.CHANGES_REQUESTED, ChannelStatus.PUBLISH_FAILED],
    )
    context = {"my_drafts": mine[:LIST_SIZE], "my_drafts_count": mine.count()}
    if user.has_perm(REVIEW_CHANNEL):
        awaiting = base.filter(status=ChannelStatus.IN_REVIEW).exclude(
            revisions__created_by=user, revisions__state="in_review"
        )
        context.update(awaiting=awaiting[:LIST_SIZE], awaiting_count=awaiting.count())
    if user.has_perm(PUBLISH_CHANNEL):
        ready = base.filter(status=ChannelStatus.APPROVED)
        context.update(ready=ready[:LIST_SIZE], ready_count=ready.count())
    return render(request, "portal/home.html", context)
