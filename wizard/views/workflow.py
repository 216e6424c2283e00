"""Workflow actions posted from the review step and the channel page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import CHANGE_CHANNEL, permission_required
from wizard.models import Channel
from wizard.services import workflow
from wizard.views import steps


@permission_required(CHANGE_CHANNEL)
@require_POST
def submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    comment = request.POST.get("comment", "")
    try:
        revision = workflow.submit(channel, request.user, comment)
    except workflow.WorkflowError as error:
        if isinstance(error, workflow.CommentError):
            steps.keep_refused_comment(request, pk, comment, str(error))
        messages.error(request, str(error))
        return redirect("wizard:step", pk, "review")
    messages.success(
        request, _("Revision %(number)d was submitted for review.") % {"number": revision.number}
    )
    return redirect("wizard:channel", pk)
