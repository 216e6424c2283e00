from __future__ import annotations

from django import template

from publishing.plan import PublishPlan, publish_plan
from wizard.models import Channel

register = template.Library()


@register.simple_tag
def channel_publish_plan(channel: Channel) -> PublishPlan:
    """``{% channel_publish_plan channel as plan %}``: what publishing the channel would do."""
    return publish_plan(channel)
