"""Which revision of each channel is live in each environment."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import Environment
from publishing.services.live import live_revision
from wizard.models import Channel, PublishAttempt, Revision


@dataclass(frozen=True)
class LiveRow:
    channel: Channel
    live: list[int | None]  # per environment, in the order given: the live revision's number


def live_matrix(environments: list[Environment]) -> list[LiveRow]:
    """Every channel with the number of the revision live in each environment (None: not published
    there), from the last successful publish per channel and environment: two queries."""
    latest: dict[tuple[int, int], int] = {}
    attempts = (
        PublishAttempt.objects.filter(state=PublishAttempt.State.SUCCEEDED)
        .order_by("finished_at", "pk")
        .values_list("channel_id", "environment_id", "revision__number")
    )
    for channel_id, environment_id, number in attempts.iterator():
        latest[(channel_id, environment_id)] = number
    channels = Channel.objects.order_by("name", "pk")
    return [
        LiveRow(channel, [latest.get((channel.pk, env.pk)) for env in environments]) for channel in channels
    ]


def live_in(channel: Channel, environment: Environment) -> Revision | None:
    return live_revision(channel, environment)
