"""What was typed in a channel page form the server refused, kept for the channel page the refusal
redirects to: that page shows the form again as typed, with why beside the field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.http import HttpRequest

_KEY = "publishing_refused_form"


def keep(request: HttpRequest, form: str, pk: int, data: Mapping[str, str], names: Iterable[str]) -> None:
    """Keep the values of ``names`` in ``data`` (the posted form) for channel ``pk``'s ``form``."""
    request.session[_KEY] = {
        "form": form,
        "channel": pk,
        "data": {name: str(data[name]) for name in names if name in data},
    }


def take(request: HttpRequest, form: str, pk: int) -> dict[str, str] | None:
    """The values kept for channel ``pk``'s ``form``, once (``None`` if there are none)."""
    kept = request.session.get(_KEY)
    if not isinstance(kept, dict) or kept.get("form") != form or kept.get("channel") != pk:
        return None
    del request.session[_KEY]
    data = kept.get("data")
    return {str(name): str(value) for name, value in data.items()} if isinstance(data, dict) else {}
