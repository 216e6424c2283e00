"""The home page: my drafts, what awaits my review, what is ready to publish."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from portal.http import AuthenticatedRequest
from portal.permissions import PUBLISH_CHANNEL, REVIEW_CHANNEL
from wizard.models import Channel, ChannelStatus, Revision

LIST_SIZE = 10


def _my_revisions_in_review(user) -> list[int]:
    """Channels whose revision in review this user submitted or edited (four eyes: not theirs to review)."""
    rows = Revision.objects.filter(state=Revision.State.IN_REVIEW).values_list(
        "channel_id", "created_by_id", "editor_ids"
    )
    return [channel for channel, author, editors in rows if user.pk == author or user.pk in (editors or [])]


def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    base = Channel.objects.select_related("last_editor", "environment").order_by("-updated_at")
    mine = base.filter(
        owner=user,
        status__in=[ChannelStatus.DRAFT, ChannelStatus.CHANGES_REQUESTED, ChannelStatus.PUBLISH_FAILED],
    )
    context = {"my_drafts": mine[:LIST_SIZE], "my_drafts_count": mine.count()}
    if user.has_perm(REVIEW_CHANNEL):
        awaiting = base.filter(status=ChannelStatus.IN_REVIEW).exclude(pk__in=_my_revisions_in_review(user))
        context.update(awaiting=awaiting[:LIST_SIZE], awaiting_count=awaiting.count())
    if user.has_perm(PUBLISH_CHANNEL):
        ready = base.filter(status=ChannelStatus.APPROVED)
        context.update(ready=ready[:LIST_SIZE], ready_count=ready.count())
    return render(request, "portal/home.html", context)


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmark tools that ask for /favicon.ico (they don't read the page's icon link) are
    sent to the portal's icon, so the log shows no 404 for them."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
