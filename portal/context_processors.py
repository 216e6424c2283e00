from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    from portal.services import entra

    # The same test as the sign-in views, so the button never leads to their 404.
    return {"entra_sign_in_enabled": entra.is_enabled()}
