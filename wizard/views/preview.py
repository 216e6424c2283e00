"""The live widget preview: the fragment the step page asks for while the author types."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.permissions import VIEW_CHANNEL
from wizard.models import Channel
from wizard.preview import build_preview, merge_unsaved


@permission_required(VIEW_CHANNEL, raise_exception=True)
@require_POST
@never_cache
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the preview of the draft with the posted (unsaved) step values over it. Saves nothing."""
    channel = get_object_or_404(Channel.objects.only("pk", "data"), pk=pk)
    data = merge_unsaved(channel.data, request.POST.get("preview_step", ""), request.POST)
    return render(request, "wizard/preview/widget.html#body", {"preview": build_preview(data)})
