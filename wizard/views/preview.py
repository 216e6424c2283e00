"""The widget preview: the frame page that draws it, and the checks the step page asks for while typing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from csp.constants import NONCE, SELF
from csp.decorators import csp_replace
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import VIEW_CHANNEL, permission_required
from wizard.models import Channel, Revision
from wizard.preview import build_preview, merge_unsaved, preview_payload

# The frame may be shown only by the portal's own pages; its styles are the bundle's, injected at run
# time with the nonce; the chat components draw their icons as data: images and the author's logo may
# come from any https host (the bundle loads it only if it is https).
FRAME_POLICY = {
    "style-src": [SELF, NONCE],
    "img-src": [SELF, "https:", "data:"],
    "frame-ancestors": [SELF],
}
_View = TypeVar("_View", bound=Callable[..., HttpResponse])


def frame_policy(view: _View) -> _View:
    """django-csp's ``csp_replace(FRAME_POLICY)``; its type hints only accept views without URL arguments."""
    return cast(_View, csp_replace(FRAME_POLICY)(view))  # type: ignore[arg-type]


@permission_required(VIEW_CHANNEL)
@require_POST
@never_cache
def preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The checks under the preview for the draft with the posted (unsaved) step values over it.

    Saves nothing. The widget itself is redrawn in the browser from the form; only these checks
    (contrast, logo, title length) come from the server.
    """
    channel = get_object_or_404(Channel.objects.only("pk", "data"), pk=pk)
    data = merge_unsaved(channel.data, request.POST.get("preview_step", ""), request.POST)
    key = request.POST.get("preview_key", "pv")
    return render(
        request,
        "wizard/preview/widget.html#checks",
        {"preview": build_preview(data, key=key if key.replace("-", "").isalnum() else "pv")},
    )


def _frame(request: AuthenticatedRequest, data: Any) -> HttpResponse:
    payload = preview_payload(data, state=request.GET.get("state", ""), device=request.GET.get("device", ""))
    return render(request, "wizard/preview/frame.html", {"payload": payload})


@permission_required(VIEW_CHANNEL)
@require_GET
@never_cache
@xframe_options_sameorigin
@frame_policy
def frame(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The page inside the preview iframe for the channel's draft (its saved values)."""
    channel = get_object_or_404(Channel.objects.only("pk", "data"), pk=pk)
    return _frame(request, channel.data)


@permission_required(VIEW_CHANNEL)
@require_GET
@never_cache
@xframe_options_sameorigin
@frame_policy
def revision_frame(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    """The page inside the preview iframe for one revision of the channel."""
    revision = get_object_or_404(Revision.objects.only("pk", "data"), channel_id=pk, number=number)
    return _frame(request, revision.data)
