from __future__ import annotations

from typing import Any

from django import template

from wizard.preview import Preview, build_preview

register = template.Library()


@register.simple_tag
def widget_preview(data: Any, key: str = "pv") -> Preview:
    """``{% widget_preview channel.data as preview %}``: the preview object for a draft or revision."""
    return build_preview(data, key=key)


@register.inclusion_tag("wizard/partials/embed_snippet.html", takes_context=True)
def embed_snippet(context: template.Context, channel: Any) -> dict[str, Any]:
    """The embed code of the channel's latest successful publish, with the optional data tags chosen."""
    from wizard.snippet import embed_for

    request = context.get("request")
    return {"embed": embed_for(channel, request.GET if request is not None else {}), "channel": channel}
