"""What the publish button would do: which revision goes live, what is live there now, and how much differs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from publishing.services.live import live_revision
from publishing.services.publish import publishable_revision
from wizard.models import Channel, Revision
from wizard.services import diff as diffs


@dataclass(frozen=True)
class PublishPlan:
    revision: Revision | None  # the revision a publish would write (None: nothing approved)
    live: Revision | None  # the revision live in the channel's environment now
    changed_count: int  # fields and row lists that differ from the live revision
    compare_url: str  # the revision comparison page, live revision against the one to publish

    @property
    def already_live(self) -> bool:
        return self.revision is not None and self.live is not None and self.revision.pk == self.live.pk


def publish_plan(channel: Channel) -> PublishPlan:
    revision = publishable_revision(channel)
    live = live_revision(channel)
    if revision is None:
        return PublishPlan(None, live, 0, "")
    # Builtin lists are enough to count differences, and they need no call to the environment.
    changed = diffs.diff(live.data if live is not None else None, revision.data).changed_count
    url = ""
    if live is not None and live.pk != revision.pk:
        query = urlencode({"a": live.number, "b": revision.number})
        url = f"{reverse('wizard:compare', args=[channel.pk])}?{query}"
    return PublishPlan(revision, live, changed, url)
