"""Reviewers' comments shown to the author on the wizard step they are about."""

from __future__ import annotations

from typing import Any

from django import template

from wizard.models import Channel, ChannelStatus, ReviewComment, Revision

register = template.Library()


@register.inclusion_tag("wizard/review/step_comments.html")
def review_notes(channel: Channel, step: Any) -> dict[str, Any]:
    """Comments of the latest revision, if changes were requested: this step's, or all on the review step.

    Only a channel whose status is "changes requested" has such a revision: an edit keeps that status
    and only a new submission (a new revision) ends it (``wizard.models.states``), so no other draft
    spends a query on it."""
    comments: list[ReviewComment] = []
    if channel.status == ChannelStatus.CHANGES_REQUESTED:
        latest = channel.revisions.order_by("-number").only("pk", "state").first()
        if latest is not None and latest.state == Revision.State.CHANGES_REQUESTED:
            query = latest.comments.select_related("author")
            if getattr(step, "has_form", False):
                query = query.filter(step=step.slug)
            comments = list(query)
    return {"comments": comments, "step": step}
