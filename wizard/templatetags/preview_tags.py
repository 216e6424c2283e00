from __future__ import annotations

from typing import Any

from django import template

from wizard.preview import Preview, build_preview

register = template.Library()


@register.simple_tag
def widget_preview(data: Any, key: str = "pv", frame_url: str = "") -> Preview:
    """``{% widget_preview channel.data frame_url=url as preview %}``: the preview of a draft or revision."""
    return build_preview(data, key=key, frame_url=frame_url)


@register.inclusion_tag("wizard/partials/embed_snippet.html", takes_context=True)
def embed_snippet(context: template.Context, channel: Any) -> dict[str, Any]:
    """The embed code of the channel's latest successful publish, with the optional data tags chosen."""
    from wizard.snippet import embed_for

    request = context.get("request")
    return {"embed": embed_for(channel, request.GET if request is not None else {}), "channel": channel}
