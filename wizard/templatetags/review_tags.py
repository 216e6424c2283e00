"""Reviewers' comments shown to the author on the wizard step they are about."""

from __future__ import annotations

from typing import Any

from django import template

from wizard.models import Channel, ChannelStatus, ReviewComment, Revision

register = template.Library()


@register.inclusion_tag("wizard/review/step_comments.html")
def review_notes(channel: Channel, step: Any) -> dict[str, Any]:
    """Comments of the latest revision, if changes were requested: this step's, or all on the review step."""
    comments: list[ReviewComment] = []
    if channel.status in (ChannelStatus.CHANGES_REQUESTED, ChannelStatus.DRAFT):
        latest = channel.revisions.order_by("-number").only("pk", "state").first()
        if latest is not None and latest.state == Revision.State.CHANGES_REQUESTED:
            query = latest.comments.select_related("author")
            if getattr(step, "has_form", False):
                query = query.filter(step=step.slug)
            comments = list(query)
    return {"comments": comments, "step": step}
