"""Roll back, Publish at… and cancelling a scheduled publish, from the channel page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import PUBLISH_CHANNEL, permission_required
from publishing import refused
from publishing.forms import RollbackForm, ScheduleForm
from publishing.services import rollback as rollback_service
from publishing.services import schedule as schedule_service
from wizard.models import Channel


def _errors(form: RollbackForm | ScheduleForm, shown_beside: tuple[str, ...] = ()) -> str:
    return " ".join(
        str(error) for name, errors in form.errors.items() if name not in shown_beside for error in errors
    )


@permission_required(PUBLISH_CHANNEL)
@require_POST
def roll_back(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        # The channel page shows the form again as typed, with the reason's error beside it.
        refused.keep(request, "rollback", pk, request.POST, form.fields)
        if other := _errors(form, shown_beside=("reason",)):
            messages.error(request, other)
        return redirect("wizard:channel", pk)
    reason = form.cleaned_data["reason"] if form.cleaned_data["skip_review"] else ""
    try:
        done = rollback_service.roll_back(
            channel, request.user, form.cleaned_data["number"], skip_reason=reason
        )
    except rollback_service.RollbackError as error:
        messages.error(request, str(error))
        return redirect("wizard:channel", pk)
    if done.review_skipped:
        text = _("Revision %(new)d holds revision %(old)d again and is approved: review skipped.")
    else:
        text = _("Revision %(new)d holds revision %(old)d again and waits for review.")
    messages.success(request, text % {"new": done.revision.number, "old": done.source.number})
    return redirect("wizard:channel", pk)


@permission_required(PUBLISH_CHANNEL)
@require_POST
def schedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    if channel.environment is None:
        messages.error(request, _("Choose the environment to publish to on the Channel details step."))
        return redirect("wizard:channel", pk)
    form = ScheduleForm(request.POST)
    with timezone.override(schedule_service.zone_of(channel.environment)):
        valid = form.is_valid()
    if not valid:
        return _schedule_refused(request, pk, _errors(form))
    try:
        schedule_service.schedule(channel, request.user, form.cleaned_data["run_at"])
    except schedule_service.ScheduleError as error:
        return _schedule_refused(request, pk, str(error))
    messages.success(request, _("The publish is scheduled."))
    return redirect("wizard:channel", pk)


def _schedule_refused(request: AuthenticatedRequest, pk: int, why: str) -> HttpResponse:
    """Back to the channel page, which says why and shows the time as it was typed."""
    messages.error(request, why)
    refused.keep(request, "schedule", pk, request.POST, ["run_at"])
    return redirect("wizard:channel", pk)


@permission_required(PUBLISH_CHANNEL)
@require_POST
def cancel_schedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    if schedule_service.cancel(channel, request.user) is not None:
        messages.success(request, _("The scheduled publish was cancelled."))
    return redirect("wizard:channel", pk)
