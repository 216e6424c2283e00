"""The review page of the revision in review, and the Approve / Request changes / Withdraw actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.http import AuthenticatedRequest
from portal.permissions import CHANGE_CHANNEL, REVIEW_CHANNEL, VIEW_CHANNEL, permission_required
from publishing.services import live
from wizard.models import Channel, ChannelStatus, Revision
from wizard.preview import revision_preview
from wizard.services import diff as diffs
from wizard.services import drafts, workflow
from wizard.steps import FORM_STEPS
from wizard.values import read
from wizard.views.channels import channel_detail


def _channel(pk: int) -> Channel:
    return get_object_or_404(Channel.objects.select_related("environment", "published_revision"), pk=pk)


def review_context(request: AuthenticatedRequest, channel: Channel, revision: Revision) -> dict[str, Any]:
    user = request.user
    # The revision live in the channel's environment; when that is this revision, the diff is empty.
    base = live.live_revision(channel)
    returned = workflow.sent_back_before(revision)
    # A revision resubmitted after a request for changes is compared first with the one sent back (what
    # the author changed since the review); once a later revision went live, first with the live one.
    returned_first = returned is not None and (base is None or returned.number > base.number)
    asked = request.GET.get("against")
    against_returned = returned is not None and (
        asked == "returned" or (returned_first and asked != "published")
    )
    # Each choice's query: the first comparison needs none.
    compare_queries = {
        "published": {"against": "published"} if returned_first else {},
        "returned": {} if returned_first else {"against": "returned"},
    }
    choices = drafts.choices_for(channel)
    show_unchanged = request.GET.get("all") == "1"
    in_review = revision.state == Revision.State.IN_REVIEW and channel.status == ChannelStatus.IN_REVIEW
    refusal = workflow.approval_refusal(revision, user) if in_review else None
    compared = returned if against_returned else base
    # Each revision's values are read once, for the diff and for its preview.
    new_values = read(revision.data, choices)
    old_values = read(compared.data, choices) if compared else None
    result = diffs.diff(old_values, new_values, choices, show_unchanged=show_unchanged)
    against = compare_queries["returned" if against_returned else "published"]
    return {
        "channel": channel,
        "revision": revision,
        "published": base,
        "is_live": base is not None and base.pk == revision.pk,
        "live": live.live_status(channel, base),
        "returned": returned,
        "against_returned": against_returned,
        "compare_published_query": urlencode(compare_queries["published"]),
        "compare_returned_query": urlencode(compare_queries["returned"]),
        "diff": result,
        "entries": result.new_entries,
        "comments": list(revision.comments.select_related("author")),
        # What was asked when the revision before was sent back, to check it was done.
        "returned_comments": list(returned.comments.select_related("author")) if returned else [],
        "steps": FORM_STEPS,
        "in_review": in_review,
        "can_review": in_review and user.has_perm(REVIEW_CHANNEL),
        "approval_refusal": refusal,
        "can_withdraw": in_review and workflow.can_withdraw(revision, user),
        "preview_new": revision_preview(revision, key="pv-revision", values=new_values),
        "preview_old": revision_preview(compared, key="pv-published", values=old_values)
        if compared
        else None,
        "show_unchanged": show_unchanged,
        "toggle_query": urlencode(against if show_unchanged else {**against, "all": "1"}),
        "old_label": (
            _("Sent back (revision %(number)d)") % {"number": returned.number}
            if against_returned and returned
            else _("Published (revision %(number)d)") % {"number": base.number}
            if base
            else _("Never published")
        ),
        "new_label": _("This revision"),
        **workflow.comment_limits(),
    }


def _revision_to_show(channel: Channel) -> Revision | None:
    """The newest revision: the one in review while there is one (there is at most one)."""
    return workflow.history(channel).first()


@permission_required(VIEW_CHANNEL)
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    revision = _revision_to_show(channel)
    if revision is None:
        messages.info(request, _("Nothing was submitted for review yet."))
        return redirect("wizard:channel", pk)
    context = review_context(request, channel, revision)
    # "Show unchanged fields" swaps the diff alone; "Compare with" takes the comparison and the previews
    # out of the whole page, leaving the decision form (and a comment being typed) as it is.
    template = (
        "wizard/review.html#diff" if request.htmx and request.htmx.target == "diff" else "wizard/review.html"
    )
    return render(request, template, context)


def _refused(request: AuthenticatedRequest, channel: Channel, error: workflow.WorkflowError) -> HttpResponse:
    """Show the review page again with what happened; 409 when the page was out of date."""
    channel = _channel(channel.pk)
    revision = _revision_to_show(channel)
    if revision is None:
        messages.error(request, str(error))
        return redirect("wizard:channel", channel.pk)
    context = review_context(request, channel, revision)
    context["error"] = str(error)
    if isinstance(error, workflow.CommentError):
        context["comment_error"] = str(error)
    context["comment_value"] = request.POST.get("comment", "")
    context["step_value"] = request.POST.get("step", "")
    status = 409 if isinstance(error, workflow.StaleRevisionError) else 400
    return render(request, "wizard/review.html", context, status=status)


def _post_only(page: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An action taken by POST whose refusal is shown at its own address: opening that address (a reload,
    or the language switch, which goes back to it) leads to ``page`` instead of a bare 405."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, pk: int) -> HttpResponse:
            if request.method != "POST":
                return redirect(page, pk)
            return view(request, pk)

        return wrapper

    return decorator


def _posted_revision(request: AuthenticatedRequest) -> tuple[int, str]:
    try:
        revision_id = int(request.POST.get("revision", ""))
    except ValueError:
        revision_id = 0
    return revision_id, request.POST.get("hash", "")


@permission_required(REVIEW_CHANNEL)
@_post_only("wizard:review")
def approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    revision_id, shown_hash = _posted_revision(request)
    try:
        revision = workflow.approve(
            channel,
            request.user,
            revision_id=revision_id,
            shown_hash=shown_hash,
            comment=request.POST.get("comment", ""),
        )
    except workflow.WorkflowError as error:
        return _refused(request, channel, error)
    messages.success(request, _("Revision %(number)d was approved.") % {"number": revision.number})
    return redirect("wizard:channel", pk)


@permission_required(REVIEW_CHANNEL)
@_post_only("wizard:review")
def request_changes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    revision_id, shown_hash = _posted_revision(request)
    try:
        revision = workflow.request_changes(
            channel,
            request.user,
            revision_id=revision_id,
            shown_hash=shown_hash,
            comment=request.POST.get("comment", ""),
            step=request.POST.get("step", ""),
        )
    except workflow.WorkflowError as error:
        return _refused(request, channel, error)
    messages.success(
        request,
        _("Revision %(number)d was sent back to its author with your comment.") % {"number": revision.number},
    )
    return redirect("wizard:channel", pk)


@permission_required(CHANGE_CHANNEL)
@_post_only("wizard:channel")
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    try:
        revision = workflow.withdraw(channel, request.user, request.POST.get("comment", ""))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("wizard:channel", pk)
    except PermissionDenied as error:
        # The channel page with the true reason (who may withdraw it), not the page about missing groups.
        messages.error(request, str(error))
        response = channel_detail(request, pk)
        response.status_code = 403
        return response
    messages.success(
        request,
        _("Revision %(number)d was withdrawn from review. The channel is a draft again.")
        % {"number": revision.number},
    )
    return redirect("wizard:channel", pk)
