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
def embed_snippet(context: template.Context, channel: Any, attempt: Any) -> dict[str, Any]:
    """``{% embed_snippet channel publishes.live %}``: the embed code ``attempt`` read back (the publish
    live in the channel's environment), with the optional data tags chosen."""
    from wizard.snippet import embed_for

    request = context.get("request")
    return {"embed": embed_for(attempt, request.GET if request is not None else {}), "channel": channel}
