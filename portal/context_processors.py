from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    from django.conf import settings

    return {"entra_sign_in_enabled": bool(getattr(settings, "ENTRA_CLIENT_ID", ""))}
