"""Check for drift, and the publisher's choice per drifted field."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import PUBLISH_CHANNEL, permission_required
from publishing import refused
from publishing.forms import DriftReasonForm
from publishing.models import EnvironmentLink
from publishing.services import drift
from wizard.models import Channel


@permission_required(PUBLISH_CHANNEL)
@require_POST
def check_drift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    try:
        link = drift.check(channel, request.user)  # type: ignore[arg-type]
    except drift.DriftError as error:
        messages.error(request, str(error))
    else:
        if link.drifted:
            messages.warning(request, _("Someone changed this channel in the environment; see below."))
        else:
            messages.success(request, _("No changes: the environment holds the revision live there."))
    return redirect("wizard:channel", pk)


@permission_required(PUBLISH_CHANNEL)
@require_POST
def resolve_drift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    every = request.POST.get("all", "")
    choices = {
        name.removeprefix("choice-"): value
        for name, value in request.POST.items()
        if name.startswith("choice-")
    }
    if every in (drift.KEEP_LIVE, drift.OVERWRITE):
        link = EnvironmentLink.objects.filter(channel=channel, environment=channel.environment).first()
        fields = ((link.drift or {}).get("fields") or []) if link is not None else []
        choices = {view["key"]: every for view in fields}
    form = DriftReasonForm(request.POST)
    kept = ["reason", *(name for name in request.POST if name.startswith("choice-"))]
    if not form.is_valid():
        # The channel page shows the choices and the reason again as typed, with why beside the reason.
        refused.keep(request, "drift", pk, request.POST, kept)
        return redirect("wizard:channel", pk)
    try:
        outcome = drift.resolve(channel, request.user, choices, form.cleaned_data["reason"])  # type: ignore[arg-type]
    except drift.DriftError as error:
        refused.keep(request, "drift", pk, request.POST, kept)
        messages.error(request, str(error))
        return redirect("wizard:channel", pk)
    if outcome == "draft":
        messages.success(
            request,
            _("The live values are in the draft now. Submit it for review; it is published like any change."),
        )
    else:
        messages.success(request, _("Publishing over the changed values; the reason is in the audit log."))
    return redirect("wizard:channel", pk)
