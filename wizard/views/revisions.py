"""Revision history: compare any two revisions, restore an old one as a new draft."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.http import AuthenticatedRequest
from portal.permissions import CHANGE_CHANNEL, VIEW_CHANNEL, permission_required
from wizard.models import Channel
from wizard.preview import revision_preview
from wizard.services import diff as diffs
from wizard.services import drafts, workflow


def _number(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@permission_required(VIEW_CHANNEL)
def compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("environment"), pk=pk)
    revisions = list(channel.revisions.select_related("created_by").order_by("-number"))
    by_number = {revision.number: revision for revision in revisions}
    a_number, b_number = _number(request.GET.get("a")), _number(request.GET.get("b"))
    if b_number not in by_number:
        b_number = revisions[0].number if revisions else None
    if a_number not in by_number:
        a_number = revisions[1].number if len(revisions) > 1 else b_number
    old = by_number.get(a_number) if a_number is not None else None
    new = by_number.get(b_number) if b_number is not None else None
    show_unchanged = request.GET.get("all") == "1"
    result = (
        diffs.diff(old.data, new.data, drafts.choices_for(channel), show_unchanged=show_unchanged)
        if old is not None and new is not None
        else None
    )
    context = {
        "channel": channel,
        "revisions": revisions,
        "old": old,
        "new": new,
        "diff": result,
        "show_unchanged": show_unchanged,
        "toggle_query": urlencode(
            {"a": a_number or "", "b": b_number or "", **({} if show_unchanged else {"all": "1"})}
        ),
        "preview_old": revision_preview(old, key="pv-old") if old is not None and old != new else None,
        "preview_new": revision_preview(new, key="pv-new") if new is not None else None,
        "old_label": _("Revision %(number)d") % {"number": old.number} if old else "",
        "new_label": _("Revision %(number)d") % {"number": new.number} if new else "",
    }
    template = "wizard/revision_compare.html#diff" if request.htmx else "wizard/revision_compare.html"
    return render(request, template, context)


@permission_required(CHANGE_CHANNEL)
@require_POST
def restore(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk)
    try:
        workflow.restore_as_new_draft(channel, request.user, number)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("wizard:channel", pk)
    messages.success(
        request,
        _(
            "Revision %(number)d was restored as the draft. Check it on the review step and submit it "
            "for review."
        )
        % {"number": number},
    )
    return redirect("wizard:step", pk, "review")
